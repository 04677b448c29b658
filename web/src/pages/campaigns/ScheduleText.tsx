/** A campaign's schedule in words: now, at an instant, at a local time, or the best hour. */
import { useFormat } from '../../lib/i18n';
import { useCampaignStrings } from './strings';
import type { Schedule } from './types';

export function ScheduleText({ schedule }: { schedule: Schedule }) {
  const t = useCampaignStrings();
  const fmt = useFormat();
  switch (schedule.kind) {
    case 'now':
      return <>{t('when.now')}</>;
    case 'at':
      return <>{t('when.at', { at: fmt.dateTime(schedule.at) })}</>;
    case 'local_time':
      return (
        <>
          {t('when.local_time', { date: fmt.date(`${schedule.date}T00:00`), time: schedule.time })}
        </>
      );
    case 'best_hour':
      return (
        <>
          {t('when.best_hour', {
            date: fmt.date(`${schedule.date}T00:00`),
            start: schedule.window.start,
            end: schedule.window.end,
          })}
        </>
      );
  }
}
