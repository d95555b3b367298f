// The console's one script, for the browser: live parts of the page follow the server each second without a reload,
// and forms post in place. Without it every page and form still works (a reload shows what changed).
const csrf = document.body.dataset.csrf ?? '';
const notice = document.getElementById('notice');

async function refresh(): Promise<void> {
  const response = await fetch(location.href, { credentials: 'same-origin', headers: { accept: 'text/html' } });
  if (response.status === 401) return location.reload();
  if (!response.ok) return;
  const next = new DOMParser().parseFromString(await response.text(), 'text/html');
  for (const part of Array.from(next.querySelectorAll<HTMLElement>('[data-live-part]'))) {
    const current = document.getElementById(part.id);
    if (!current || current.innerHTML === part.innerHTML) continue;
    // Keep the keyboard where it was: the element with the same id takes the focus back.
    const focused = document.activeElement && current.contains(document.activeElement) ? document.activeElement.id : '';
    current.innerHTML = part.innerHTML;
    if (focused) document.getElementById(focused)?.focus();
  }
}

document.addEventListener('submit', (event) => {
  const form = event.target as HTMLFormElement;
  // Only the console's actions post in place; signing in and out are plain navigations.
  if (form.method.toLowerCase() !== 'post' || !new URL(form.action).pathname.includes('/actions/')) return;
  event.preventDefault();
  const body = new URLSearchParams(new FormData(form) as unknown as Record<string, string>);
  void fetch(form.action, {
    method: 'POST',
    body,
    credentials: 'same-origin',
    headers: { accept: 'application/json', 'x-molt-csrf': csrf },
  })
    .then(async (response) => {
      const result = (await response.json().catch(() => ({}))) as { message?: string };
      if (notice) notice.textContent = result.message ?? (response.ok ? 'Done.' : `Refused (${response.status}).`);
      await refresh();
    })
    .catch(() => {
      if (notice) notice.textContent = 'The console cannot reach the service.';
    });
});

// One refresh at a time, a second after the last one ended (a slow answer never piles requests up), and none while
// the tab is hidden: a console left open in a background tab costs the service nothing. It catches up when shown.
function follow(): void {
  const next = (): void => void setTimeout(follow, 1000);
  if (document.hidden) return next();
  refresh()
    .catch(() => undefined)
    .finally(next);
}

// Only a page with live parts follows the server: the sign-in page has none, so it never reloads under the person typing.
if (document.querySelector('[data-live-part]')) {
  setTimeout(follow, 1000);
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden) void refresh().catch(() => undefined);
  });
}
