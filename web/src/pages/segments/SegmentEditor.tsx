/**
 * Build (or change) a segment: name, description and the rule tree on the left, the live count
 * and a masked sample on the right (POST /v1/segments/preview, once typing pauses). The API's
 * errors are shown beside the rule they are about.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import {
  Card,
  DataTable,
  Dialog,
  ErrorNote,
  Field,
  Loading,
  Page,
  Stat,
} from '../../components/ui';
import { api, ApiError } from '../../lib/api';
import { useAuth } from '../../lib/auth';
import { useFormat } from '../../lib/i18n';
import { useCommon } from '../../lib/strings';
import { useApi } from '../../lib/use-api';
import { actorName, type SegmentList, type SegmentPreview, type SegmentView } from './api';
import { useDebounced } from './controls';
import { GroupEditor } from './FilterBuilder';
import {
  BUILT_IN_ATTRIBUTES,
  EVERYONE,
  fromFilter,
  isBlank,
  newGroup,
  nodeOfError,
  replaceNode,
  toFilter,
  type AttributeDefinition,
  type Compiled,
  type GroupNode,
  type TreeNode,
} from './model';
import { useSegmentStrings } from './strings';

interface FieldError {
  readonly path: string;
  readonly message: string;
}

/** The API's SEGMENT_INVALID errors, by the node of the tree they are about. */
function errorsByNode(error: unknown, compiled: Compiled): Map<string, string[]> {
  const map = new Map<string, string[]>();
  if (!(error instanceof ApiError) || error.code !== 'SEGMENT_INVALID') return map;
  const list = (error.details as { errors?: FieldError[] } | undefined)?.errors ?? [];
  for (const e of list) {
    const id = nodeOfError(compiled.paths, e.path);
    if (!id) continue;
    map.set(id, [...(map.get(id) ?? []), e.message]);
  }
  return map;
}

function countBlank(node: TreeNode): number {
  if (node.type === 'rule') return isBlank(node.condition) ? 1 : 0;
  return node.children.reduce((n, c) => n + countBlank(c), 0);
}

function LivePreview({
  tree,
  canSample,
  readOnly,
  onInvalid,
}: {
  tree: GroupNode;
  canSample: boolean;
  readOnly: boolean;
  /** The API's errors about the tree being counted, by node (empty when it was fine). */
  onInvalid: (errors: Map<string, string[]>) => void;
}) {
  const t = useSegmentStrings();
  const fmt = useFormat();
  const compiled = useMemo(() => toFilter(tree, { skipBlank: true }), [tree]);
  const body = JSON.stringify(compiled.filter ?? EVERYONE);
  const settled = useDebounced(body, 350);
  const [preview, setPreview] = useState<SegmentPreview | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [pending, setPending] = useState(true);
  const latest = useRef(settled);
  // The paths of the tree as it was sent, to place the answer's errors.
  const sent = useRef(new Map<string, Compiled>());
  sent.current.set(body, compiled);
  const report = useRef(onInvalid);
  report.current = onInvalid;

  useEffect(() => {
    latest.current = settled;
    setPending(true);
    const asked = sent.current.get(settled);
    sent.current = new Map(asked ? [[settled, asked]] : []);
    api
      .post<SegmentPreview>('/segments/preview', {
        filter: JSON.parse(settled) as unknown,
        sample: canSample ? 10 : 0,
      })
      .then((p) => {
        if (latest.current !== settled) return;
        setPreview(p);
        setError(null);
        report.current(new Map());
      })
      .catch((e: unknown) => {
        if (latest.current !== settled) return;
        setError(e);
        if (asked) report.current(errorsByNode(e, asked));
      })
      .finally(() => latest.current === settled && setPending(false));
  }, [settled, canSample]);

  const blank = countBlank(tree);
  const busy = pending || settled !== body;
  return (
    <Card className="segments-preview">
      <div className="segments-count" aria-busy={busy}>
        <Stat
          label={t('liveCount')}
          value={
            <output aria-live="polite" aria-label={t('liveCount')} data-count={preview?.count}>
              {preview && !error ? fmt.number(preview.count) : '–'}
            </output>
          }
          hint={busy ? t('counting') : readOnly ? undefined : t('countHint')}
        />
      </div>
      {blank > 0 ? (
        <p className="hint">{t('blankRules' as 'blankRules_other', { count: blank })}</p>
      ) : null}
      {error && !(error instanceof ApiError && error.code === 'SEGMENT_INVALID') ? (
        <ErrorNote error={error} />
      ) : null}
      <h2 className="segments-sample-title">{t('sample')}</h2>
      {!canSample ? (
        <p className="muted">{t('sampleHidden')}</p>
      ) : preview?.sample ? (
        <DataTable
          caption={t('sampleCaption')}
          rows={preview.sample}
          rowKey={(r) => r.id}
          empty={t('sampleEmpty')}
          columns={[
            { key: 'phone', header: t('phone'), cell: (r) => <span dir="ltr">{r.phone}</span> },
            { key: 'country', header: t('country'), cell: (r) => r.country ?? '–' },
            { key: 'region', header: t('region'), cell: (r) => r.region ?? '–' },
            { key: 'age', header: t('ageBand'), cell: (r) => r.ageBand ?? '–' },
          ]}
        />
      ) : null}
    </Card>
  );
}

export function SegmentEditor() {
  const { id: idParam } = useParams();
  const id = idParam ? Number(idParam) : null;
  const existing = useApi<SegmentView>(id ? `/segments/${id}` : null);
  const { can } = useAuth();
  const common = useCommon();
  if (id === null && !can('segments:write')) return <p className="muted">{common('forbidden')}</p>;
  if (id !== null && !Number.isInteger(id)) return <NotFound />;
  if (id !== null && existing.error) {
    return (
      <Page title={`#${idParam}`}>
        <ErrorNote error={existing.error} onRetry={existing.reload} />
      </Page>
    );
  }
  if (id !== null && !existing.data) return <Loading />;
  return <EditorForm key={id ?? 'new'} segment={existing.data} />;
}

function NotFound() {
  const common = useCommon();
  return <p className="muted">{common('notFound')}</p>;
}

function EditorForm({ segment }: { segment: SegmentView | null }) {
  const t = useSegmentStrings();
  const common = useCommon();
  const fmt = useFormat();
  const navigate = useNavigate();
  const { can } = useAuth();
  const writable = can('segments:write');
  const canSample = can('contacts:read');

  const [name, setName] = useState(segment?.name ?? '');
  const [description, setDescription] = useState(segment?.description ?? '');
  const [tree, setTree] = useState<GroupNode>(() =>
    segment ? fromFilter(segment.filter) : newGroup('and'),
  );
  const [nameError, setNameError] = useState<string | null>(null);
  const [saveError, setSaveError] = useState<unknown>(null);
  const [nodeErrors, setNodeErrors] = useState<Map<string, string[]>>(new Map());
  const [saving, setSaving] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [deleteError, setDeleteError] = useState<unknown>(null);

  const custom = useApi<{ items: AttributeDefinition[] }>(canSample ? '/attributes' : null);
  const attributes = useMemo(
    () => [...BUILT_IN_ATTRIBUTES, ...(custom.data?.items ?? [])],
    [custom.data],
  );
  const saved = useApi<SegmentList>('/segments', { limit: 500 });
  const others = useMemo(
    () => (saved.data?.items ?? []).filter((s) => s.id !== segment?.id),
    [saved.data, segment?.id],
  );

  const replace = (nodeId: string, next: TreeNode | null) => {
    setTree((root) =>
      root.id === nodeId && next?.type === 'group' ? next : replaceNode(root, nodeId, next),
    );
    setNodeErrors(new Map());
  };

  const save = async () => {
    if (!name.trim()) {
      setNameError(t('nameRequired'));
      return;
    }
    setNameError(null);
    setSaveError(null);
    const compiled = toFilter(tree);
    const body = {
      name: name.trim(),
      description: description.trim() || null,
      filter: compiled.filter ?? EVERYONE,
    };
    setSaving(true);
    try {
      if (segment) await api.patch(`/segments/${segment.id}`, body);
      else await api.post('/segments', body);
      navigate('/segments', { state: { notice: t('saved') } });
    } catch (e) {
      const byNode = errorsByNode(e, compiled);
      setNodeErrors(byNode);
      setSaveError(e);
    } finally {
      setSaving(false);
    }
  };

  const remove = async () => {
    if (!segment) return;
    setDeleteError(null);
    try {
      await api.del(`/segments/${segment.id}`);
      navigate('/segments', { state: { notice: t('deleted', { name: segment.name }) } });
    } catch (e) {
      setDeleteError(e);
    }
  };

  const title = segment
    ? t(writable ? 'editSegment' : 'viewSegment', { name: segment.name })
    : t('newSegment');
  const nameHintId = 'segment-name-error';

  return (
    <Page
      title={title}
      actions={
        <Link to="/segments" className="segments-back">
          ← {t('back')}
        </Link>
      }
    >
      {!writable ? <p className="notice">{t('readOnly')}</p> : null}
      <div className="segments-layout">
        <div className="segments-main">
          <Card>
            <form
              className="segments-form"
              onSubmit={(e) => {
                e.preventDefault();
                void save();
              }}
              noValidate
            >
              <Field label={t('name')}>
                {(fid) => (
                  <>
                    <input
                      id={fid}
                      type="text"
                      value={name}
                      maxLength={100}
                      required
                      disabled={!writable}
                      aria-invalid={nameError ? true : undefined}
                      aria-describedby={nameError ? nameHintId : undefined}
                      onChange={(e) => setName(e.target.value)}
                    />
                    {nameError ? (
                      <div id={nameHintId} className="segments-field-error">
                        {nameError}
                      </div>
                    ) : null}
                  </>
                )}
              </Field>
              <Field label={t('description')} hint={writable ? t('descriptionHint') : undefined}>
                {(fid) => (
                  <input
                    id={fid}
                    type="text"
                    value={description}
                    maxLength={1000}
                    disabled={!writable}
                    onChange={(e) => setDescription(e.target.value)}
                  />
                )}
              </Field>
              {segment ? (
                <p className="hint">
                  {t('updated')}: {fmt.dateTime(segment.updatedAt)}{' '}
                  {t('by', { who: actorName(segment.updatedBy) })}
                </p>
              ) : null}
            </form>
          </Card>
          <Card title={t('rules')}>
            <GroupEditor
              group={tree}
              depth={0}
              isRoot
              attributes={attributes}
              segments={others}
              disabled={!writable}
              errors={nodeErrors}
              replace={replace}
            />
          </Card>
          {saveError ? <ErrorNote error={saveError} /> : null}
          {writable ? (
            <div className="segments-actions">
              <button
                type="button"
                className="primary"
                disabled={saving}
                onClick={() => void save()}
              >
                {saving ? t('saving') : t('save')}
              </button>
              {segment ? (
                <button type="button" className="danger" onClick={() => setConfirmDelete(true)}>
                  {t('delete')}
                </button>
              ) : null}
            </div>
          ) : null}
        </div>
        <aside className="segments-side" aria-label={t('liveCount')}>
          <LivePreview
            tree={tree}
            canSample={canSample}
            readOnly={!writable}
            onInvalid={setNodeErrors}
          />
        </aside>
      </div>
      <Dialog open={confirmDelete} title={t('deleteTitle')} onClose={() => setConfirmDelete(false)}>
        <p>{t('deleteBody', { name: segment?.name ?? '' })}</p>
        {deleteError ? <ErrorNote error={deleteError} /> : null}
        <div className="segments-actions">
          <button type="button" className="danger" onClick={() => void remove()}>
            {t('deleteConfirm')}
          </button>
          <button type="button" onClick={() => setConfirmDelete(false)}>
            {common('cancel')}
          </button>
        </div>
      </Dialog>
    </Page>
  );
}
