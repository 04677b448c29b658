/** The contacts area: the list and look-up at /contacts, one contact at /contacts/:id. */
import { Route, Routes } from 'react-router';
import { useCommon } from '../../lib/strings';
import { ContactDetail } from './ContactDetail';
import { ContactList } from './ContactList';
import './contacts.css';

export default function ContactsArea() {
  const t = useCommon();
  return (
    <Routes>
      <Route index element={<ContactList />} />
      <Route path=":id" element={<ContactDetail />} />
      <Route path="*" element={<p className="muted">{t('notFound')}</p>} />
    </Routes>
  );
}
