/**
 * The filter tree as nested groups: each group says whether all, any or none of its rules must
 * hold, and holds rules and further groups. Errors the API found are shown beside their rule.
 */
import { useId } from 'react';
import { RuleFields, RuleKindSelect, type SegmentChoice } from './RuleEditor';
import {
  MAX_DEPTH,
  isBlank,
  newCondition,
  newGroup,
  newRule,
  type AttributeDefinition,
  type GroupNode,
  type GroupOp,
  type RuleNode,
  type TreeNode,
} from './model';
import { useSegmentStrings } from './strings';

interface Shared {
  attributes: readonly AttributeDefinition[];
  segments: readonly SegmentChoice[];
  disabled: boolean;
  /** API error messages by node id. */
  errors: ReadonlyMap<string, readonly string[]>;
  replace: (id: string, next: TreeNode | null) => void;
}

function NodeErrors({ id, errors }: { id: string; errors: Shared['errors'] }) {
  const list = errors.get(id);
  if (!list?.length) return null;
  return (
    <ul className="segments-errors" role="alert">
      {list.map((m, i) => (
        <li key={i}>{m}</li>
      ))}
    </ul>
  );
}

function RuleRow({ rule, index, ...shared }: Shared & { rule: RuleNode; index: number }) {
  const t = useSegmentStrings();
  const blank = isBlank(rule.condition);
  const labelId = useId();
  return (
    <li className="segments-rule" aria-labelledby={labelId}>
      <span id={labelId} className="sr-only">
        {`${t('ruleKind')} ${index + 1}: ${t(`kind.${rule.condition.kind}` as 'kind.country')}`}
      </span>
      <div className="segments-rule-fields">
        <RuleKindSelect
          value={rule.condition.kind}
          disabled={shared.disabled}
          onChange={(kind) => shared.replace(rule.id, { ...rule, condition: newCondition(kind) })}
        />
        <RuleFields
          condition={rule.condition}
          onChange={(condition) => shared.replace(rule.id, { ...rule, condition })}
          attributes={shared.attributes}
          segments={shared.segments}
          disabled={shared.disabled}
        />
      </div>
      {blank ? <p className="hint">{t('notCounted')}</p> : null}
      <NodeErrors id={rule.id} errors={shared.errors} />
      {shared.disabled ? null : (
        <button
          type="button"
          className="link segments-remove"
          onClick={() => shared.replace(rule.id, null)}
        >
          {t('removeRule')}
        </button>
      )}
    </li>
  );
}

export function GroupEditor({
  group,
  depth,
  isRoot,
  ...shared
}: Shared & { group: GroupNode; depth: number; isRoot?: boolean }) {
  const t = useSegmentStrings();
  const opId = useId();
  const add = (child: TreeNode) =>
    shared.replace(group.id, { ...group, children: [...group.children, child] });
  return (
    <div
      className={`segments-group segments-group-${group.op}`}
      role="group"
      aria-label={isRoot ? t('rules') : t('groupLabel')}
    >
      <div className="segments-group-head">
        <label htmlFor={opId}>{t('groupOp')}</label>
        <select
          id={opId}
          value={group.op}
          disabled={shared.disabled}
          onChange={(e) => shared.replace(group.id, { ...group, op: e.target.value as GroupOp })}
        >
          {(['and', 'or', 'not'] as const).map((op) => (
            <option key={op} value={op}>
              {t(`op.${op}`)}
            </option>
          ))}
        </select>
        {!isRoot && !shared.disabled ? (
          <button
            type="button"
            className="link segments-remove"
            onClick={() => shared.replace(group.id, null)}
          >
            {t('removeGroup')}
          </button>
        ) : null}
      </div>
      <NodeErrors id={group.id} errors={shared.errors} />
      {group.children.length === 0 ? (
        <p className="muted segments-empty">{isRoot ? t('everyone') : t('emptyGroup')}</p>
      ) : (
        <ol className="segments-children">
          {group.children.map((child, i) =>
            child.type === 'rule' ? (
              <RuleRow key={child.id} rule={child} index={i} {...shared} />
            ) : (
              <li key={child.id} className="segments-subgroup">
                <GroupEditor group={child} depth={depth + 1} {...shared} />
              </li>
            ),
          )}
        </ol>
      )}
      {shared.disabled ? null : (
        <div className="segments-add">
          <button type="button" onClick={() => add(newRule('country'))}>
            + {t('addRule')}
          </button>
          <button
            type="button"
            disabled={depth + 1 >= MAX_DEPTH}
            title={depth + 1 >= MAX_DEPTH ? t('maxDepth', { depth: MAX_DEPTH }) : undefined}
            onClick={() => add(newGroup(group.op === 'or' ? 'and' : 'or', [newRule('country')]))}
          >
            + {t('addGroup')}
          </button>
        </div>
      )}
    </div>
  );
}
