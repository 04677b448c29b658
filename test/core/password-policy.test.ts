import { describe, expect, it } from 'vitest';
import { passwordProblem, type PasswordProblem } from '../../src/core/password-policy.js';

describe('password rules', () => {
  it.each<[string, string, PasswordProblem | null]>([
    ['short1!', 'mei', 'too_short'],
    ['中文密码不够长', 'mei', 'too_short'],
    ['x'.repeat(1025), 'mei', 'too_long'],
    ['password1234', 'mei', 'common'],
    ['Password1234!', 'mei', 'common'],
    ['!!2024Qwerty!!', 'mei', 'common'],
    ['iloveyou1314520', 'mei', 'common'],
    ['woaini1314520', 'mei', 'common'],
    ['passwordpassword', 'mei', 'common'],
    ['Administrator1', 'mei', 'common'],
    ['123456789012', 'mei', 'repetitive'],
    ['aaaaaaaaaaaaaaa', 'mei', 'repetitive'],
    ['abababababab', 'mei', 'repetitive'],
    ['qwertyuiopasdf', 'mei', 'repetitive'],
    ['0987654321098', 'mei', 'repetitive'],
    ['mei.lin@example.com!', 'mei.lin@example.com', 'contains_username'],
    ['MEI.LIN 2030 spring!', 'mei.lin@example.com', 'contains_username'],
    ['ada-lovelace-1815', 'ada-lovelace', 'contains_username'],
    ['correct horse battery', 'mei', null],
    ['violet tram at dusk', 'mei.lin@example.com', null],
    ['春眠不觉晓处处闻啼鸟夜来风雨声', 'mei', null],
    ['a long enough password', 'ada', null],
  ])('%s (user %s): %s', (password, username, problem) => {
    expect(passwordProblem(password, { username })).toBe(problem);
  });
});
