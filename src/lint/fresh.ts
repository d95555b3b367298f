/**
 * Objects the previous release has never seen: created earlier in the same file, or in a file that
 * is not released yet. Rules about existing objects (locks, compatibility) do not apply to them.
 */
export class FreshObjects {
  #names = new Set<string>();
  #previousReleased = true;

  /** Starts a file: what a released file created is old to every later file; unreleased files share what they create. */
  beginFile(released: boolean): void {
    if (this.#previousReleased) this.#names.clear();
    this.#previousReleased = released;
  }

  /** Records an object created by the statement being read, e.g. `add('table', 'public.users')`. */
  add(kind: string, name: string): void {
    this.#names.add(`${kind}:${name}`);
  }

  /** Whether the object was created where the previous release cannot see it. */
  has(kind: string, name: string): boolean {
    return this.#names.has(`${kind}:${name}`);
  }

  /** Forgets an object that was dropped. */
  delete(kind: string, name: string): void {
    this.#names.delete(`${kind}:${name}`);
  }

  /** Follows a rename of a fresh object; renaming an old object does not make it new. */
  rename(kind: string, from: string, to: string): void {
    if (this.#names.delete(`${kind}:${from}`)) this.#names.add(`${kind}:${to}`);
  }
}
