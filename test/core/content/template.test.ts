import { describe, expect, it } from 'vitest';
import { HeraldError } from '../../../src/core/errors.js';
import {
  compileTemplate,
  renderTemplate,
  templateVariables,
  worstCaseInspection,
} from '../../../src/core/content/template.js';

const ALLOWED = ['contact.first_name', 'contact.city', 'contact.attributes.plan'];

function caught(fn: () => unknown): HeraldError {
  try {
    fn();
  } catch (error) {
    if (error instanceof HeraldError) return error;
    throw error;
  }
  throw new Error('expected a HeraldError');
}

describe('renderTemplate', () => {
  const ann = { contact: { first_name: 'Ann', city: 'Paris', attributes: { plan: 'gold' } } };

  // prettier-ignore
  it.each<[string, string, Record<string, unknown>, string]>([
    ['a variable', 'Hi {{ contact.first_name }}', ann, 'Hi Ann'],
    ['a filter', '{{ contact.first_name | upcase }}!', ann, 'ANN!'],
    ['an attribute', 'Your plan: {{ contact.attributes.plan }}', ann, 'Your plan: gold'],
    ['default for a missing value', 'Hi {{ contact.first_name | default: "there" }}', { contact: {} }, 'Hi there'],
    ['if with a value', '{% if contact.city %}in {{ contact.city }}{% else %}near you{% endif %}', ann, 'in Paris'],
    ['if without a value', '{% if contact.city %}in {{ contact.city }}{% else %}near you{% endif %}', { contact: {} }, 'near you'],
    ['unless without a value', '{% unless contact.city %}Where are you?{% endunless %}', { contact: {} }, 'Where are you?'],
    ['a loop', '{% for t in contact.tags %}{{ t }}{% unless forloop.last %}, {% endunless %}{% endfor %}', { contact: { tags: ['a', 'b'] } }, 'a, b'],
    ['assign and size', '{% assign n = contact.first_name | size %}{{ n }}', ann, '3'],
    ['truncate counts the ellipsis', '{{ contact.first_name | truncate: 4 }}', { contact: { first_name: 'Bartholomew' } }, 'B...'],
    ['mask keeps 3 and 4 by default', '{{ contact.phone | mask }}', { contact: { phone: '13800138000' } }, '138****8000'],
    ['mask with arguments', '{{ contact.code | mask: 1, 1 }}', { contact: { code: 'ABCDE' } }, 'A***E'],
    ['mask hides a short value entirely', '{{ contact.first_name | mask }}', ann, '***'],
    ['mask counts characters, not code units', '{{ contact.first_name | mask: 1, 0 }}', { contact: { first_name: '欧阳😀' } }, '欧**'],
    ['a fixed date prints in UTC', '{{ "2024-05-01T23:30:00Z" | date: "%d %b %Y %H:%M" }}', {}, '01 May 2024 23:30'],
    ['no HTML escaping: SMS is plain text', '{{ contact.first_name }}', { contact: { first_name: '<b>&' } }, '<b>&'],
    ['Chinese template', '【品牌】{{ contact.first_name }}您好，回复TD退订', { contact: { first_name: '张三' } }, '【品牌】张三您好，回复TD退订'],
    ['null prints nothing', '[{{ contact.city }}]', { contact: { city: null } }, '[]'],
  ])('%s', (_name, source, vars, expected) => {
    const rendered = renderTemplate(compileTemplate(source), vars);
    expect(typeof rendered).toBe('string'); // synchronous, not a promise
    expect(rendered).toBe(expected);
  });

  // prettier-ignore
  it.each<[string, string, Record<string, unknown>, string, Record<string, unknown>]>([
    ['a printed variable without a value', 'Hi {{ contact.city }}', { contact: {} }, 'TEMPLATE_VARIABLE_MISSING', { variable: 'contact.city', line: 1, column: 7 }],
    ['a filter on a missing value', '{{ contact.city | upcase }}', { contact: {} }, 'TEMPLATE_VARIABLE_MISSING', { variable: 'contact.city' }],
    ['an inherited property', '{{ contact.constructor.name }}', { contact: { first_name: 'A' } }, 'TEMPLATE_VARIABLE_MISSING', { variable: 'contact.constructor' }],
    ['the clock', '{{ "now" | date: "%Y" }}', {}, 'TEMPLATE_INVALID', { line: 1, column: 1 }],
    ['the clock, as today', '{{ "Today" | date: "%Y" }}', {}, 'TEMPLATE_INVALID', {}],
    ['a loop past the memory limit', '{% for i in (1..200000) %}x{% endfor %}', {}, 'TEMPLATE_INVALID', { reason: 'memory alloc limit exceeded' }],
  ])('refuses %s', (_name, source, vars, code, details) => {
    const error = caught(() => renderTemplate(compileTemplate(source), vars));
    expect(error.code).toBe(code);
    expect(error.details).toMatchObject(details);
  });
});

describe('compileTemplate', () => {
  // prettier-ignore
  it.each<[string, string, string[]]>([
    ['two variables in order', '{{ contact.first_name }} from {{ contact.city }}', ['contact.first_name', 'contact.city']],
    ['a property below an allowed path', '{{ contact.first_name.size }}', ['contact.first_name.size']],
    ['assigned locals are not variables', '{% assign x = contact.city %}{{ x }}', ['contact.city']],
    ['loop variables are not variables', '{% for c in contact.attributes.plan %}{{ c }}{{ forloop.index }}{% endfor %}', ['contact.attributes.plan']],
    ['each variable once', '{{ contact.city }}{{ contact.city | upcase }}', ['contact.city']],
    ['a variable used as a filter argument', '{{ "x" | append: contact.city }}', ['contact.city']],
    ['no variables', 'Hello!', []],
  ])('accepts %s', (_name, source, variables) => {
    expect(compileTemplate(source, { allowedVariables: ALLOWED }).variables).toEqual(variables);
  });

  // prettier-ignore
  it.each<[string, string, string, number, number]>([
    ['a variable not in the list', '{{ contact.last_name }}', 'contact.last_name', 1, 4],
    ['the whole contact', '{{ contact }}', 'contact', 1, 4],
    ['a parent of an allowed path', '{{ contact.attributes }}', 'contact.attributes', 1, 4],
    ['another attribute', '{{ contact.attributes.tier }}', 'contact.attributes.tier', 1, 4],
    ['a dynamic key', '{{ contact.attributes[key] }}', 'contact.attributes[key]', 1, 4],
    ['a variable in a condition', '{% if contact.vip %}VIP{% endif %}', 'contact.vip', 1, 7],
    ['a variable on line 2', 'Hi\n{{ secret }}', 'secret', 2, 4],
    ['a filter argument', '{{ contact.first_name | append: contact.password }}', 'contact.password', 1, 33],
    ['a prototype property', '{{ contact.constructor }}', 'contact.constructor', 1, 4],
  ])('refuses %s', (_name, source, variable, line, column) => {
    const error = caught(() => compileTemplate(source, { allowedVariables: ALLOWED }));
    expect(error.code).toBe('TEMPLATE_UNKNOWN_VARIABLE');
    expect(error.details).toEqual({ variable, line, column });
  });

  // prettier-ignore
  it.each<[string, string, number, number, RegExp]>([
    ['an unclosed output', 'Hi {{ contact.first_name', 1, 4, /not closed/],
    ['an unclosed tag', '{% if contact.city %}x', 1, 1, /not closed/],
    ['an unknown filter', 'Line1\nHi {{ contact.first_name | nosuch }}', 2, 4, /undefined filter: nosuch/],
    ['a stray end tag', 'x\n  {% endfor %}', 2, 3, /endfor/],
    ['include (file system)', '{% include "header" %}', 1, 1, /include tag is not available/],
    ['render (file system)', 'a {% render "footer" %}', 1, 3, /render tag is not available/],
    ['layout (file system)', '{% layout "base" %}', 1, 1, /layout tag is not available/],
    ['sample (randomness)', '{{ "a,b" | split: "," | sample }}', 1, 1, /undefined filter: sample/],
  ])('reports %s with its position', (_name, source, line, column, reason) => {
    const error = caught(() => compileTemplate(source));
    expect(error.code).toBe('TEMPLATE_INVALID');
    expect(error.details).toMatchObject({ line, column });
    expect((error.details as { reason: string }).reason).toMatch(reason);
  });

  it('refuses a template longer than 10,000 characters', () => {
    const error = caught(() => compileTemplate('x'.repeat(10_001)));
    expect(error.code).toBe('TEMPLATE_INVALID');
    expect(error.details).toEqual({ reason: 'too_long', length: 10_001, max: 10_000 });
  });

  it('accepts any variable when no list is given', () => {
    expect(compileTemplate('{{ anything.goes }}').variables).toEqual(['anything.goes']);
  });
});

describe('templateVariables', () => {
  // prettier-ignore
  it.each<[string, string, string[]]>([
    ['in order of first use', 'Hi {{ contact.first_name }}, {% if contact.city %}{{ contact.city }}{% endif %}', ['contact.first_name', 'contact.city']],
    ['a quoted key', '{{ contact.attributes["plan type"] }}', ["contact.attributes['plan type']"]],
    ['captured locals are left out', '{% capture s %}{{ contact.city }}{% endcapture %}{{ s }}', ['contact.city']],
    ['none', '回复TD退订', []],
  ])('%s', (_name, source, expected) => {
    expect(templateVariables(source)).toEqual(expected);
  });

  it('reports a syntax error', () => {
    expect(caught(() => templateVariables('{{ oops')).code).toBe('TEMPLATE_INVALID');
  });
});

describe('worstCaseInspection', () => {
  // prettier-ignore
  it.each<[string, string, Record<string, string>, { encoding: string; units: number; segments: number }]>([
    ['the longest name', 'Hi {{ contact.first_name }}!', { 'contact.first_name': 'Bartholomew' }, { encoding: 'GSM-7', units: 15, segments: 1 }],
    ['a value that crosses 160', `${'a'.repeat(150)}{{ contact.city }}`, { 'contact.city': 'Springfield' }, { encoding: 'GSM-7', units: 161, segments: 2 }],
    ['a value that forces UCS-2', `Hi {{ contact.first_name }}${'a'.repeat(100)}`, { 'contact.first_name': 'Zoë' }, { encoding: 'UCS-2', units: 106, segments: 2 }],
    ['a Chinese template', '【品牌】{{ contact.first_name }}，您的订单已发货。回复TD退订', { 'contact.first_name': '欧阳娜娜' }, { encoding: 'UCS-2', units: 23, segments: 1 }],
    ['a missing value takes the default', 'Hi {{ contact.first_name | default: "friend" }}', {}, { encoding: 'GSM-7', units: 9, segments: 1 }],
    ['a missing value skips its branch', '{% if contact.city %}See you in {{ contact.city }}!{% endif %}Bye', {}, { encoding: 'GSM-7', units: 3, segments: 1 }],
    ['an attribute path', 'Plan: {{ contact.attributes.plan }}', { 'contact.attributes.plan': 'Platinum' }, { encoding: 'GSM-7', units: 14, segments: 1 }],
    ['two values under one parent', '{{ contact.first_name }} {{ contact.city }}', { 'contact.first_name': 'Ann', 'contact.city': 'Paris' }, { encoding: 'GSM-7', units: 9, segments: 1 }],
  ])('%s', (_name, source, values, expected) => {
    expect(worstCaseInspection(source, values)).toMatchObject(expected);
  });

  it('does not write to Object.prototype through a path', () => {
    worstCaseInspection('{{ x }}', { '__proto__.polluted': 'yes' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
