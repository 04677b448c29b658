/**
 * Password rules for people: long enough, not absurdly long, not one of the passwords every
 * attacker tries first (a common word or keyboard walk with some digits around it), not the
 * user's own name or e-mail address, and not a single repeated character or run.
 *
 * @example
 *   passwordProblem('Password1234!', { username: 'mei' }) // 'common'
 *   passwordProblem('violet tram at dusk', { username: 'mei' }) // null
 */
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 1024;

export const PASSWORD_PROBLEMS = [
  'too_short',
  'too_long',
  'common',
  'contains_username',
  'repetitive',
] as const;
export type PasswordProblem = (typeof PASSWORD_PROBLEMS)[number];

/** What each problem means, in English and Chinese, for the error message. */
export const PASSWORD_PROBLEM_TEXT: Record<PasswordProblem, { en: string; zh: string }> = {
  too_short: {
    en: `A password has at least ${PASSWORD_MIN_LENGTH} characters`,
    zh: `密码至少需要 ${PASSWORD_MIN_LENGTH} 个字符`,
  },
  too_long: {
    en: `A password has at most ${PASSWORD_MAX_LENGTH} characters`,
    zh: `密码最多 ${PASSWORD_MAX_LENGTH} 个字符`,
  },
  common: {
    en: 'This password is too common: attackers try it first',
    zh: '该密码过于常见，攻击者会首先尝试',
  },
  contains_username: {
    en: 'A password may not contain the user name or e-mail address',
    zh: '密码不能包含用户名或电子邮件地址',
  },
  repetitive: {
    en: 'A password may not be one repeated character or a simple run',
    zh: '密码不能是重复字符或简单序列',
  },
};

/**
 * The stems of the most common passwords (from the published breach top lists), lower-case.
 * A password that is one of these, repeated or padded with digits and symbols, is refused.
 */
const COMMON_STEMS = new Set([
  'password',
  'passw0rd',
  'p@ssw0rd',
  'p@ssword',
  'pass',
  'qwerty',
  'qwertyuiop',
  'asdfgh',
  'asdfghjkl',
  'zxcvbnm',
  'qazwsx',
  '1q2w3e4r',
  '1q2w3e4r5t',
  '1q2w3e4r5t6y',
  'abc',
  'abcd',
  'abcdef',
  'iloveyou',
  'letmein',
  'welcome',
  'admin',
  'administrator',
  'root',
  'changeme',
  'monkey',
  'dragon',
  'master',
  'football',
  'baseball',
  'basketball',
  'soccer',
  'superman',
  'batman',
  'sunshine',
  'princess',
  'shadow',
  'michael',
  'jennifer',
  'trustno1',
  'whatever',
  'freedom',
  'starwars',
  'pokemon',
  'secret',
  'login',
  'hello',
  'helloworld',
  'test',
  'guest',
  'default',
  'herald',
  'woaini',
  'wodemima',
  'mima',
  'zhang',
  'wang',
  'aini',
  'loveyou',
  'computer',
  'internet',
  'summer',
  'winter',
  'spring',
  'autumn',
  'samsung',
  'google',
  'mustang',
  'access',
  'ninja',
  'azerty',
  'solo',
  'charlie',
  'donald',
  'flower',
  'hunter',
  'killer',
  'lovely',
  'cheese',
  'chocolate',
  'purple',
  'orange',
  'banana',
  'apple',
]);

const KEYBOARD_ROWS = [
  '1234567890',
  'qwertyuiop',
  'asdfghjkl',
  'zxcvbnm',
  'qwertyuiopasdfghjklzxcvbnm',
  'abcdefghijklmnopqrstuvwxyz',
];

/** True when every character is the one before it plus or minus one (abcd, 4321), or on a keyboard row. */
function isRun(text: string): boolean {
  if (text.length < 3) return false;
  const codes = [...text].map((c) => c.codePointAt(0)!);
  const step = codes[1]! - codes[0]!;
  if (Math.abs(step) === 1 && codes.every((c, i) => i === 0 || c - codes[i - 1]! === step))
    return true;
  return KEYBOARD_ROWS.some((row) => {
    const twice = row + row;
    const reversed = [...twice].reverse().join('');
    return twice.includes(text) || reversed.includes(text);
  });
}

/** The password with its padding (digits, symbols, spaces at either end) taken off. */
function stemOf(lower: string): string {
  return lower.replace(/^[^\p{L}]+/u, '').replace(/[^\p{L}]+$/u, '');
}

/** One repeated unit (aaaa, abab, passwordpassword). */
function repeatedUnit(text: string): string | null {
  for (let size = 1; size <= text.length / 2; size += 1) {
    if (text.length % size === 0 && text.slice(0, size).repeat(text.length / size) === text)
      return text.slice(0, size);
  }
  return null;
}

/** The first rule a password breaks, or null when it is acceptable. */
export function passwordProblem(
  password: string,
  user: { readonly username: string },
): PasswordProblem | null {
  const chars = [...password];
  if (chars.length < PASSWORD_MIN_LENGTH) return 'too_short';
  if (chars.length > PASSWORD_MAX_LENGTH) return 'too_long';
  const lower = password.normalize('NFKC').toLowerCase();
  const compact = lower.replace(/\s+/gu, '');
  const unit = repeatedUnit(compact) ?? compact;
  if (new Set(compact).size <= 2 || isRun(unit) || isRun(compact)) return 'repetitive';
  const stem = stemOf(unit);
  if (
    stem === '' ||
    COMMON_STEMS.has(stem) ||
    COMMON_STEMS.has(repeatedUnit(stem) ?? '') ||
    isRun(stem)
  )
    return 'common';
  const name = user.username.toLowerCase();
  const local = name.split('@')[0] ?? name;
  for (const part of [name, local]) {
    if (part.length >= 3 && compact.includes(part.replace(/\s+/gu, ''))) return 'contains_username';
  }
  return null;
}
