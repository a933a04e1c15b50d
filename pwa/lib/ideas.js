/** Ideas worth sharing (DESIGN.md section 1, `idea_saved`; section 4, sharing into Merci), pure: what a share to
 * the app holds (title, text, url) made into a draft, a person's name guessed from a shared profile, tags read
 * and compared (a tag meets another whatever its case and accents), and the saved ideas to offer a contact
 * (their tags meet the contact's, not shared with them yet). No DOM, no IndexedDB: node tests them as they are. */

/** The local database's meta key of the shares the service worker kept (sw.js) until the share page saves or
 * drops them (ui/share.js): {id: {title, text, url, at}}. */
export const SHARE_DRAFTS = 'share-drafts';

/** The first web address in `text`, or null. */
export function firstUrl(text) {
  const found = /\bhttps?:\/\/[^\s<>"«»]+/i.exec(text ?? '');
  return found ? found[0].replace(/[.,;:!?)\]]+$/, '') : null;
}

/** What a share brings (the manifest's share_target params: title, text, url), made tidy: Android apps often put
 * the link in `text` (alone, or after a sentence), some put the page's title there. `{title, text, url}`, each a
 * trimmed string ('' when absent); `text` loses the link it carried when that link is now `url`. */
export function sharedDraft({ title = '', text = '', url = '' } = {}) {
  const clean = (value) => String(value ?? '').replace(/\s+/g, ' ').trim();
  let link = clean(url);
  let body = clean(text);
  if (!link) {
    const found = firstUrl(body);
    if (found) {
      link = found;
      body = clean(body.replace(found, '')).replace(/\s+([.,;:!?])$/, '$1').replace(/^[.,;:!?]$/, '');
    }
  } else if (body === link) {
    body = '';
  }
  return { title: clean(title), text: body, url: link };
}

/** Whether `url` is a LinkedIn profile (linkedin.com/in/…). */
export function isLinkedInProfile(url) {
  try {
    const { hostname, pathname } = new URL(url);
    return /(^|\.)linkedin\.com$/i.test(hostname) && /^\/in\/[^/]+/i.test(pathname);
  } catch {
    return false;
  }
}

const capitalise = (word) => word.split('-').map((part) => part.charAt(0).toLocaleUpperCase() + part.slice(1)).join('-');

/** A person's name guessed from what was shared: a profile page's title ("Jeanne Dupont | LinkedIn",
 * "Jeanne Dupont - Product manager - Acme | LinkedIn"), else a LinkedIn profile's address
 * (linkedin.com/in/jeanne-dupont-1a2b3c4d: "Jeanne Dupont"), else ''. */
export function guessName({ title = '', url = '' } = {}) {
  const fromTitle = String(title ?? '')
    .replace(/\s*[|–—-]\s*LinkedIn\s*$/i, '')
    .replace(/^\(\d+\)\s*/, '') // "(3) Jeanne Dupont": LinkedIn's unread count
    .split(/\s+[|–—-]\s+/)[0]
    .trim();
  if (fromTitle && !/^https?:/i.test(fromTitle) && (isLinkedInProfile(url) || /linkedin/i.test(title))) return fromTitle;
  if (!isLinkedInProfile(url)) return '';
  let slug = new URL(url).pathname.split('/')[2] ?? '';
  try {
    slug = decodeURIComponent(slug);
  } catch { /* keep it as it is */ }
  // LinkedIn adds a suffix of letters and digits to names taken already: "jeanne-dupont-1a2b3c4d", "-b1234567".
  const words = slug.split(/[-_]+/).filter(Boolean);
  while (words.length > 1 && /\d/.test(words.at(-1))) words.pop();
  return words.filter((w) => !/\d/.test(w)).map(capitalise).join(' ');
}

/** A tag as compared: without accents, case or surrounding spaces ("Fintech", "fintech ", "FINTECH" meet). */
export function tagKey(tag) {
  return String(tag).normalize('NFD').replace(/\p{M}/gu, '').toLocaleLowerCase('und').replace(/\s+/g, ' ').trim();
}

/** Tags typed in one field, separated by commas (or "#"): each once (the first spelling kept), in order. */
export function parseTags(text) {
  const seen = new Set();
  const tags = [];
  for (const part of String(text ?? '').split(/[,#\n]/)) {
    const tag = part.replace(/\s+/g, ' ').trim();
    const key = tagKey(tag);
    if (!key || seen.has(key)) continue;
    seen.add(key);
    tags.push(tag);
  }
  return tags;
}

/** The tags of `mine` that meet one of `theirs`, in the order of `mine`. */
export function commonTags(mine = [], theirs = []) {
  const keys = new Set((theirs ?? []).map(tagKey));
  return (mine ?? []).filter((tag) => keys.has(tagKey(tag)));
}

/** Every tag used on contacts and ideas, each once (its most used spelling), the most used first: what the
 * tags field suggests. `lists` is any number of arrays of tags. */
export function knownTags(lists) {
  const counts = new Map();
  for (const list of lists) {
    for (const tag of list ?? []) {
      const key = tagKey(tag);
      if (!key) continue;
      const found = counts.get(key) ?? { count: 0, spellings: new Map() };
      found.count += 1;
      found.spellings.set(tag, (found.spellings.get(tag) ?? 0) + 1);
      counts.set(key, found);
    }
  }
  return [...counts.values()]
    .map(({ count, spellings }) => ({ count, tag: [...spellings].sort((a, b) => b[1] - a[1])[0][0] }))
    .sort((a, b) => b.count - a.count || a.tag.localeCompare(b.tag))
    .map(({ tag }) => tag);
}

/** The ideas to offer a contact with `tags`: those whose tags meet theirs and that were not shared with them yet,
 * newest first, each with the tags they have in common: [{idea, common}]. `ideas` as the engine lists them
 * ({id, tags, sharedWith: [contact ids], day}). */
export function offersFor(contact, tags, ideas) {
  return ideas
    .filter((idea) => !idea.sharedWith.includes(contact))
    .map((idea) => ({ idea, common: commonTags(idea.tags, tags) }))
    .filter(({ common }) => common.length)
    .sort((a, b) => (b.idea.day ?? '').localeCompare(a.idea.day ?? '') || b.idea.pos - a.idea.pos);
}
