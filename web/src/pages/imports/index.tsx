/** The imports area: past imports at /imports, a new one at /imports/new, one at /imports/:id. */
import { Route, Routes } from 'react-router';
import { useCommon } from '../../lib/strings';
import { ImportDetail } from './ImportDetail';
import { ImportList } from './ImportList';
import { NewImport } from './NewImport';
import './imports.css';

export default function ImportsArea() {
  const t = useCommon();
  return (
    <Routes>
      <Route index element={<ImportList />} />
      <Route path="new" element={<NewImport />} />
      <Route path=":id" element={<ImportDetail />} />
      <Route path="*" element={<p className="muted">{t('notFound')}</p>} />
    </Routes>
  );
}
