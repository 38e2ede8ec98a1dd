import type { Metadata } from 'next';
import { AdminPage } from '@/components/admin/admin-page';

export const metadata: Metadata = { title: 'Administration · Relay chat' };

/** `/admin`: instance administration (administrators only; the API checks every call). */
export default function Page() {
  return <AdminPage />;
}
