import { html, type Html } from '../html.js';

/** The sign-in form: the admin token of the fleet. */
export function loginPage(prefix: string, error: string | null): Html {
  return html`${error ? html`<p class="error" role="alert">${error}</p>` : ''}
    <form class="panel row" method="post" action="${prefix}/login">
      <label for="token"
        >Admin token<input id="token" name="token" type="password" autocomplete="current-password" required
      /></label>
      <button type="submit" id="sign-in">Sign in</button>
    </form>
    <p class="muted">
      The token is one of the fleet's admin tokens (<code>MOLT_FLEET_ADMIN_TOKEN</code>). Every page and action needs
      it; the audit log records who acted.
    </p>`;
}
