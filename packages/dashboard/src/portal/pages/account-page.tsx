import { Card } from "../../components/card.tsx";
import { PageHeader } from "../../components/page-header.tsx";
import { MailSettingsForm } from "../features/mail-settings-form.tsx";
import { SECURITY_MAIL } from "../lib/mail-kinds.ts";
import { usePortalSession } from "../session/portal-session.ts";

/** The consumer's own settings: for now, which optional mail they receive. */
export function AccountPage() {
  const { me } = usePortalSession();
  const mailOn = Object.keys(me.notifications).length > 0;
  const email = me.consumer.email;
  if (!mailOn)
    return (
      <>
        <PageHeader title="Settings" subtitle={me.consumer.name} />
        <Card title="Email notifications" className="settings-card">
          <div className="notice settings-notice">
            <p className="notice-title">Mail is not set up by your provider</p>
            <p>
              Nothing is mailed to you, so there is nothing to choose here. Keys about to stop working show in
              this portal, and in the <code>Deprecation</code> and <code>Sunset</code> headers of your API
              responses.
            </p>
          </div>
        </Card>
      </>
    );
  return (
    <>
      <PageHeader title="Settings" subtitle={me.consumer.name} />
      <div className="settings-grid">
        <Card title="Email notifications">
          <p className="settings-intro">
            {email === null ? (
              <>
                Your provider has no email address for you yet, so nothing is mailed. Your choices here apply
                once they add one.
              </>
            ) : (
              <>
                Mail goes to <strong className="break-anywhere">{email}</strong>. To change the address, ask
                your provider.
              </>
            )}
          </p>
          <MailSettingsForm />
        </Card>
        <Card title="Always sent" className="security-mail">
          <p>
            Security mail cannot be turned off, so that you learn at once when someone else uses your account
            or your keys:
          </p>
          <ul>
            {SECURITY_MAIL.map((item) => (
              <li key={item}>{item}</li>
            ))}
          </ul>
        </Card>
      </div>
    </>
  );
}
