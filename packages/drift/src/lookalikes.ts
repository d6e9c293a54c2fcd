/**
 * An explicit table of characters that look like ASCII letters, digits and identifier
 * punctuation, in the spirit of the prototypes of Unicode Technical Standard #39
 * (confusables.txt), kept small enough to review by eye.
 *
 * Code points are written in hex on purpose: a table of look-alikes typed as
 * characters cannot be reviewed, because it looks like plain ASCII.
 *
 * Compatibility forms (fullwidth letters, mathematical alphanumerics, Roman numerals,
 * ligatures, superscripts) are not listed: NFKD folds them before this table applies.
 * Diacritics are stripped too, so `é` is treated as `e`.
 */
const TABLE: ReadonlyArray<readonly [string, readonly number[]]> = [
  // Cyrillic а, Latin alpha, Greek alpha, APL alpha
  ['a', [0x0430, 0x0251, 0x03b1, 0x237a]],
  // Latin capital tone six, Cyrillic capital soft sign
  ['b', [0x0184, 0x042c]],
  // Cyrillic с, Greek lunate sigma, small capital C, Coptic small c, Cherokee small
  ['c', [0x0441, 0x03f2, 0x1d04, 0x2ca5, 0xabaf]],
  // Cyrillic komi de, Cherokee
  ['d', [0x0501, 0x13e7]],
  // Cyrillic е, Cyrillic abkhasian che, estimated sign, Latin small blackletter e
  ['e', [0x0435, 0x04bd, 0x212e, 0xab32]],
  // Latin script g, Armenian co, Latin g with palatal hook
  ['g', [0x0261, 0x0581, 0x1d83]],
  // Cyrillic shha, Armenian ho, Cherokee
  ['h', [0x04bb, 0x0570, 0x13c2]],
  // Cyrillic і, dotless i, Greek iota, Latin iota, Cherokee
  ['i', [0x0456, 0x0131, 0x03b9, 0x0269, 0x13a5]],
  // Cyrillic ј, Greek yot, dotless j
  ['j', [0x0458, 0x03f3, 0x0237]],
  // Greek kappa, Cyrillic ка, small capital K
  ['k', [0x03ba, 0x043a, 0x1d0b]],
  // Cyrillic palochka (both cases), Greek capital iota, Cyrillic capital І, dental click,
  // Hebrew paseq, Arabic alef, divides, Lisu I, Coptic iauda, runic isa
  ['l', [0x04cf, 0x04c0, 0x0399, 0x0406, 0x01c0, 0x05c0, 0x0627, 0x2223, 0xa4f2, 0x2c92, 0x16c1]],
  // Armenian vo, Armenian ra
  ['n', [0x0578, 0x057c]],
  // Cyrillic о, Greek omicron, Armenian oh, Greek sigma, small capital O, Coptic o,
  // Devanagari and Oriya digit zero
  ['o', [0x043e, 0x03bf, 0x0585, 0x03c3, 0x1d0f, 0x2c9f, 0x0966, 0x0b66]],
  // Cyrillic р, Greek rho, Coptic ro
  ['p', [0x0440, 0x03c1, 0x2ca3]],
  // Cyrillic qa, Armenian za
  ['q', [0x051b, 0x0566]],
  // Cyrillic ге, Cherokee
  ['r', [0x0433, 0xab81]],
  // Cyrillic dze, Latin tone five, small capital S
  ['s', [0x0455, 0x01bd, 0xa731]],
  // Armenian seh, Greek upsilon, Latin v with hook, small capital U
  ['u', [0x057d, 0x03c5, 0x028b, 0x1d1c]],
  // Greek nu, Cyrillic izhitsa, small capital V
  ['v', [0x03bd, 0x0475, 0x1d20]],
  // Cyrillic we, Armenian ayb, small capital W, Cyrillic omega
  ['w', [0x051d, 0x0561, 0x1d21, 0x0461]],
  // Cyrillic ха, Greek chi, Canadian syllabics
  ['x', [0x0445, 0x03c7, 0x166e, 0x157d]],
  // Cyrillic у, Greek gamma, Latin gamma, Cyrillic straight u, Georgian qar
  ['y', [0x0443, 0x03b3, 0x0263, 0x04af, 0x10e7]],
  // small capital Z, Cherokee
  ['z', [0x1d22, 0xab93]],
  // Capitals: Cyrillic, Greek, Armenian, Cherokee and Lisu letters drawn like Latin ones.
  ['A', [0x0410, 0x0391, 0x13aa, 0xa4ee]],
  ['B', [0x0412, 0x0392, 0x13f4, 0xa4d0]],
  ['C', [0x0421, 0x03f9, 0x13df, 0xa4da]],
  ['D', [0x13a0, 0xa4d3]],
  ['E', [0x0415, 0x0395, 0x13ac, 0xa4f0]],
  ['F', [0x03dc, 0xa4dd]],
  ['G', [0x050c, 0x13c0, 0xa4d6]],
  ['H', [0x041d, 0x0397, 0x13bb, 0xa4e7]],
  ['J', [0x0408, 0x037f, 0x13ab, 0xa4d9]],
  ['K', [0x041a, 0x039a, 0x13e6, 0xa4d7]],
  ['L', [0x13de, 0xa4e1]],
  ['M', [0x041c, 0x039c, 0x13b7, 0xa4df]],
  ['N', [0x039d, 0xa4e0]],
  ['O', [0x041e, 0x039f, 0x0555, 0x2c9e, 0xa4f3]],
  ['P', [0x0420, 0x03a1, 0x13e2, 0xa4d1]],
  ['Q', [0x051a]],
  ['R', [0x13a1, 0x13d2, 0xa4e3]],
  ['S', [0x0405, 0x054f, 0x13da, 0xa4e2]],
  ['T', [0x0422, 0x03a4, 0x13a2, 0xa4d4]],
  ['U', [0x054d, 0xa4f4]],
  ['V', [0x13d9, 0xa4e6]],
  ['W', [0x051c, 0x13b3, 0xa4ea]],
  ['X', [0x0425, 0x03a7, 0xa4eb]],
  ['Y', [0x04ae, 0x03a5, 0x0423, 0xa4ec]],
  ['Z', [0x0396, 0x13c3, 0xa4dc]],
  // Cyrillic ze, Cyrillic abkhasian dze, Latin ezh
  ['3', [0x0417, 0x04e0, 0x01b7]],
  // Hyphens, dashes and minus signs
  ['-', [0x2010, 0x2012, 0x2013, 0x2014, 0x2015, 0x2212, 0x02d7, 0x2043, 0x06d4]],
  // Syriac and Vai full stops, Arabic-Indic digit zero
  ['.', [0x0701, 0x0702, 0xa60e, 0x0660, 0x06f0]],
  // Division slash, fraction slash, box-drawing diagonal, big solidus
  ['/', [0x2215, 0x2044, 0x2571, 0x29f8]],
];

const PROTOTYPE = new Map<number, string>();
for (const [prototype, cps] of TABLE) {
  for (const cp of cps) PROTOTYPE.set(cp, prototype);
}

const COMBINING_MARK = /\p{M}/gu;

/**
 * Folds non-ASCII look-alikes to the ASCII character they imitate: NFKD, combining
 * marks removed, then the table above. ASCII is left alone (no `I`→`l`), so the result
 * can be searched for words and phrases.
 */
export function foldLookalikes(text: string): string {
  // ASCII has nothing to decompose or fold.
  if (/^[\x00-\x7f]*$/.test(text)) return text;
  const decomposed = text.normalize('NFKD').replace(COMBINING_MARK, '');
  let out = '';
  for (const ch of decomposed) {
    out += PROTOTYPE.get(ch.codePointAt(0) ?? 0) ?? ch;
  }
  return out;
}

/** ASCII characters drawn alike in common UI fonts, mapped to one prototype. */
const ASCII_PROTOTYPE: Readonly<Record<string, string>> = { I: 'l', '1': 'l', '|': 'l', '0': 'O' };

/**
 * Applies the ASCII prototypes (`I`, `1`, `|` → `l`; `0` → `O`; `rn` → `m`) to text that
 * has already been folded.
 */
export function asciiPrototype(folded: string): string {
  let out = '';
  for (const ch of folded) out += ASCII_PROTOTYPE[ch] ?? ch;
  return out.replaceAll('rn', 'm');
}
