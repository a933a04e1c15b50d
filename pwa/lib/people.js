/** Finding people as they are typed: case and accents ignored ("herve" finds Hervé), any word of the name or
 * the organisation ("lem" finds Paul Lemaire), and the existing contact a new one would duplicate (same name,
 * accents and case aside, or same email). Pure: node tests it as it is. */

/** `text` folded for comparing: lower case, no accents (NFD, combining marks dropped), spaces collapsed. */
export function fold(text) {
  return String(text ?? '').normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/g, ' ').trim();
}

/** The words of a person's name and organisation, folded (hyphens and apostrophes split words too). */
function words(person) {
  return fold(`${person.name ?? ''} ${person.org ?? ''}`).split(/[\s\-'’.,]+/).filter(Boolean);
}

/** Whether `query` finds `person` ({name, org?}): every word typed starts a word of the name or organisation,
 * or the whole query is part of the folded name. An empty query finds everyone. */
export function matches(person, query) {
  const typed = fold(query);
  if (!typed) return true;
  if (fold(person.name).includes(typed)) return true;
  const own = words(person);
  return typed.split(/[\s\-'’.,]+/).filter(Boolean).every((word) => own.some((w) => w.startsWith(word)));
}

/** The people `query` finds, those whose name starts with it first, then by name. */
export function search(people, query) {
  const typed = fold(query);
  return people.filter((p) => matches(p, query))
    .sort((a, b) => Number(!fold(a.name).startsWith(typed)) - Number(!fold(b.name).startsWith(typed))
      || a.name.localeCompare(b.name));
}

/** The existing contacts a new one ({name, email?}) would duplicate: the same folded name, or the same email
 * (case aside). */
export function sameAs(people, { name, email }) {
  const folded = fold(name);
  const mail = fold(email);
  return people.filter((p) => (folded && fold(p.name) === folded) || (mail && fold(p.email) === mail));
}
