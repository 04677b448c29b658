/** The messages area: the log at /messages and one message at /messages/:id. */
import { Route, Routes } from 'react-router';
import { useCommon } from '../../lib/strings';
import { MessageDetail } from './MessageDetail';
import { MessageLog } from './MessageLog';
import './messages.css';

export default function MessagesArea() {
  const t = useCommon();
  return (
    <Routes>
      <Route index element={<MessageLog />} />
      <Route path=":id" element={<MessageDetail />} />
      <Route path="*" element={<p className="muted">{t('notFound')}</p>} />
    </Routes>
  );
}
