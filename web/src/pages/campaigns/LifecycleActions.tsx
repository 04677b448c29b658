/**
 * What a person may do to a campaign where it stands: submit or change a draft, approve or
 * reject a submission (someone other than its author, with campaigns:approve), schedule an
 * approved one, pause, resume, cancel. Each answer of the API is shown as it came.
 */
import { useState, type ReactNode } from 'react';
import { Link } from 'react-router';
import { Dialog, ErrorNote, Field } from '../../components/ui';
import { api } from '../../lib/api';
import { useAuth } from '../../lib/auth';
import { useCommon } from '../../lib/strings';
import { campaignsChanged } from './events';
import { useCampaignStrings } from './strings';
import { FINAL_STATUSES, type Campaign } from './types';

/** How the signed-in person is named as an author (GET /v1/auth/me `actor`). */
export function useActor(): string | null {
  const { me } = useAuth();
  return me?.actor ?? null;
}

type Action = 'submit' | 'approve' | 'reject' | 'schedule' | 'pause' | 'resume' | 'cancel';

export function LifecycleActions({
  campaign,
  onChanged,
  compact,
}: {
  campaign: Campaign;
  onChanged: (next: Campaign, action: Action) => void;
  compact?: boolean;
}) {
  const t = useCampaignStrings();
  const common = useCommon();
  const { can } = useAuth();
  const actor = useActor();
  const [busy, setBusy] = useState<Action | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [dialog, setDialog] = useState<null | 'reject' | 'cancel'>(null);
  const [reason, setReason] = useState('');
  const [reasonMissing, setReasonMissing] = useState(false);

  const act = async (action: Action, body: object = {}) => {
    setBusy(action);
    setError(null);
    try {
      const next = await api.post<Campaign>(`/campaigns/${campaign.id}/${action}`, body);
      setDialog(null);
      setReason('');
      campaignsChanged();
      onChanged(next, action);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  };

  const own = actor !== null && campaign.author === actor;
  const write = can('campaigns:write');
  const approve = can('campaigns:approve');
  const s = campaign.status;
  const buttons: ReactNode[] = [];
  const button = (action: Action, label: string, kind = '') =>
    buttons.push(
      <button
        key={action}
        type="button"
        className={kind}
        disabled={busy !== null}
        onClick={() =>
          action === 'reject' || action === 'cancel' ? setDialog(action) : void act(action)
        }
      >
        {busy === action ? t('working') : label}
      </button>,
    );

  if (s === 'draft' && write) {
    buttons.push(
      <Link key="edit" to={`/campaigns/${campaign.id}/edit`} className="campaigns-button-link">
        {t('edit')}
      </Link>,
    );
    button(
      'submit',
      campaign.purpose === 'marketing' ? t('submitForApproval') : t('submit'),
      'primary',
    );
  }
  if (s === 'submitted' && approve && !own) {
    button('approve', t('approve'), 'primary');
    button('reject', t('reject'));
  }
  if (s === 'approved' && write) button('schedule', t('scheduleNow'), 'primary');
  if ((s === 'scheduled' || s === 'sending') && write) button('pause', t('pause'));
  if (s === 'paused' && write) button('resume', t('resume'), 'primary');
  // The queue offers the approver's decision only; the campaign's page has the rest.
  if (!FINAL_STATUSES.includes(s) && write && !compact) {
    button('cancel', t('cancelCampaign'), 'danger');
  }

  return (
    <div className="campaigns-lifecycle">
      {s === 'submitted' && own ? (
        <p className="campaigns-own">{t('ownCampaign')}</p>
      ) : s === 'submitted' && !approve && !compact ? (
        <p className="campaigns-own">{t('waitingForApproval')}</p>
      ) : null}
      {buttons.length > 0 ? <div className="campaigns-actions">{buttons}</div> : null}
      {error && dialog === null ? <ErrorNote error={error} /> : null}
      <Dialog
        open={dialog !== null}
        title={dialog === 'reject' ? t('rejectTitle') : t('cancelTitle')}
        onClose={() => {
          setDialog(null);
          setError(null);
        }}
      >
        {dialog === 'cancel' ? <p>{t('cancelBody')}</p> : null}
        <Field label={dialog === 'reject' ? t('rejectReason') : t('cancelNote')}>
          {(id) => (
            <>
              <textarea
                id={id}
                rows={3}
                maxLength={1000}
                value={reason}
                aria-invalid={reasonMissing ? true : undefined}
                aria-describedby={reasonMissing ? `${id}-e` : undefined}
                onChange={(e) => {
                  setReason(e.target.value);
                  setReasonMissing(false);
                }}
              />
              {reasonMissing ? (
                <p id={`${id}-e`} className="campaigns-field-error">
                  {t('reasonRequired')}
                </p>
              ) : null}
            </>
          )}
        </Field>
        {error ? <ErrorNote error={error} /> : null}
        <div className="campaigns-actions">
          <button
            type="button"
            className="danger"
            disabled={busy !== null}
            onClick={() => {
              if (dialog === 'reject') {
                if (!reason.trim()) return setReasonMissing(true);
                void act('reject', { reason: reason.trim() });
              } else {
                void act('cancel', reason.trim() ? { note: reason.trim() } : {});
              }
            }}
          >
            {dialog === 'reject' ? t('reject') : t('cancelCampaign')}
          </button>
          <button type="button" onClick={() => setDialog(null)}>
            {common('cancel')}
          </button>
        </div>
      </Dialog>
    </div>
  );
}
