/** The console's one stylesheet: readable on a laptop and a phone, with visible focus and AA contrast. */
export const STYLES = `
:root { color-scheme: light; --ink: #1b1f24; --muted: #4a5360; --line: #d0d7de; --bg: #ffffff; --panel: #f6f8fa;
  --accent: #0a4fa8; --ok: #116329; --warn: #7d4e00; --bad: #a40e26; font: 16px/1.5 system-ui, sans-serif; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: var(--bg); }
a { color: var(--accent); }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 8px; top: 8px; background: var(--bg); padding: 4px 8px; z-index: 2; }
header { display: flex; flex-wrap: wrap; gap: 8px 24px; align-items: center; padding: 12px 16px; border-bottom: 1px solid var(--line); background: var(--panel); }
header .brand { font-weight: 700; }
nav ul { display: flex; flex-wrap: wrap; gap: 4px 16px; list-style: none; margin: 0; padding: 0; }
nav a[aria-current="page"] { font-weight: 700; text-decoration-thickness: 3px; }
main { padding: 16px; max-width: 1200px; }
h1 { font-size: 1.5rem; margin: 0 0 12px; }
h2 { font-size: 1.15rem; margin: 24px 0 8px; }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 12px 16px; margin: 12px 0; }
.row { display: flex; flex-wrap: wrap; gap: 12px; align-items: end; }
label { display: flex; flex-direction: column; font-size: 0.9rem; color: var(--muted); gap: 2px; }
input, select, button { font: inherit; padding: 6px 10px; border: 1px solid #6e7781; border-radius: 4px; background: #fff; color: var(--ink); }
button { background: var(--accent); color: #fff; border-color: var(--accent); cursor: pointer; }
button.secondary { background: #fff; color: var(--accent); }
:focus-visible { outline: 3px solid #fb8500; outline-offset: 2px; }
.table { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; min-width: 640px; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: 0.85rem; color: var(--muted); }
tbody th { font-size: 1rem; color: var(--ink); }
#policy-actions { margin-top: 12px; }
.state-confirmed, .state-current, .ok { color: var(--ok); font-weight: 600; }
.state-failed, .state-rolled_back, .state-unconfirmed, .bad { color: var(--bad); font-weight: 600; }
.state-drifted, .state-pending, .state-dispatched, .state-downloading, .state-installed, .warn { color: var(--warn); font-weight: 600; }
.banner { border: 1px solid var(--warn); background: #fff8c5; padding: 10px 14px; border-radius: 6px; margin: 12px 0; }
.error { border: 1px solid var(--bad); background: #ffebe9; padding: 10px 14px; border-radius: 6px; margin: 12px 0; }
.muted { color: var(--muted); }
form.inline { display: inline; }
code { font-size: 0.9em; }
`;
