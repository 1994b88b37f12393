package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"medisecure/cmd/clinic/internal/notify"
	"medisecure/core"
	"medisecure/store"
)

// notifyCmd is clinic notify.
func (a *app) notifyCmd() *cobra.Command {
	return group("notify", "set up and follow patient notifications by e-mail and SMS", a.notifyConfigCmd(), a.notifyTemplateCmd(), a.notifyStatusCmd(), a.notifySendDueCmd())
}

// notifyConfigCmd is clinic notify config.
func (a *app) notifyConfigCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config [--smtp HOST:PORT --from ADDR [--smtp-user U]] [--sms-url URL --sms-account SID --sms-from NUMBER] [--reminder-hour H] [--tele-url URL]",
		Short: "set up the mail server and SMS gateway; this workstation becomes the one that sends",
		Long: `config: the clinic's gateways. Flags left out keep what was set. The SMTP password
and the SMS gateway's token come from CLINIC_SMTP_PASSWORD and CLINIC_SMS_TOKEN, or are
asked for on a terminal; they are sealed on this workstation only and never printed.
The workstation that runs config becomes the clinic's only sending device (see docs/messaging.md).`,
		Args: noArgs,
	}
	f := cmd.Flags()
	smtpAddr := f.String("smtp", "", "the mail server, `HOST:PORT` (STARTTLS is used when it offers it)")
	from := f.String("from", "", "the sender `ADDR`ess of the clinic's e-mail")
	user := f.String("smtp-user", "", "the mail server login `U` (AUTH PLAIN over TLS); none when empty")
	smsURL := f.String("sms-url", "", "the SMS gateway's base `URL` (Twilio-compatible, e.g. https://api.twilio.com)")
	account := f.String("sms-account", "", "the gateway's account `SID`")
	smsFrom := f.String("sms-from", "", "the `NUMBER` texts come from")
	hour := f.Int("reminder-hour", core.DefaultReminderHour, "the `H`our (0-23) of the day before when reminders go out")
	tele := f.String("tele-url", "", "the video provider's base `URL` for telemedicine links (e.g. https://meet.jit.si/)")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		return a.withSession(func(_ *store.DB, s *store.Session) error {
			cfg, err := s.NotifyConfig()
			if err != nil && !errors.Is(err, store.ErrNotConfigured) {
				return err
			}
			if err != nil {
				cfg = core.NotifyConfig{ReminderHour: core.DefaultReminderHour}
			}
			set := func(name string, dst *string, v string) {
				if cmd.Flags().Changed(name) {
					*dst = v
				}
			}
			set("smtp", &cfg.SMTPAddr, *smtpAddr)
			set("from", &cfg.From, *from)
			set("smtp-user", &cfg.SMTPUser, *user)
			set("sms-url", &cfg.SMSURL, *smsURL)
			set("sms-account", &cfg.SMSAccount, *account)
			set("sms-from", &cfg.SMSFrom, *smsFrom)
			set("tele-url", &cfg.TeleURL, *tele)
			if cmd.Flags().Changed("reminder-hour") {
				cfg.ReminderHour = *hour
			}
			var sec store.NotifySecrets
			if cfg.SMTPUser != "" && (cmd.Flags().Changed("smtp-user") || cmd.Flags().Changed("smtp")) {
				if sec.SMTPPassword, err = a.gatewaySecret("CLINIC_SMTP_PASSWORD", "password of "+cfg.SMTPUser+" on "+cfg.SMTPAddr+": "); err != nil {
					return err
				}
			}
			if cfg.SMSURL != "" && (cmd.Flags().Changed("sms-url") || cmd.Flags().Changed("sms-account")) {
				if sec.SMSToken, err = a.gatewaySecret("CLINIC_SMS_TOKEN", "auth token of SMS account "+cfg.SMSAccount+": "); err != nil {
					return err
				}
			}
			cfg, err = s.SetNotifyConfig(cfg, sec)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(a.e.stdout, "notifications set up; this workstation (device %s) is the one that sends\n", cfg.Sender)
			return err
		})
	}
	return cmd
}

// gatewaySecret reads a gateway's secret from its variable or, on a
// terminal, a prompt; elsewhere an empty one keeps what is sealed.
func (a *app) gatewaySecret(variable, prompt string) (string, error) {
	if v := a.e.getenv(variable); v != "" || !a.e.isTTY {
		return v, nil
	}
	return a.e.secret(variable, prompt)
}

// notifyTemplateCmd is clinic notify template PURPOSE.
func (a *app) notifyTemplateCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "template reminder|confirmation|cancellation|telemedicine --subject S --body B",
		Short: "set the clinic's wording of one kind of patient notification",
		Long: `template: the subject (e-mail only) and body of one kind of notification. {patient},
{clinic}, {doctor}, {date}, {time} and {link} are filled in. --body "" goes back to the default.`,
		Args: exactArgs(1),
	}
	subject := cmd.Flags().String("subject", "", "the e-mail subject")
	body := cmd.Flags().String("body", "", "the text")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		p := core.Purpose(args[0])
		if !strings.Contains(" reminder confirmation cancellation telemedicine ", " "+args[0]+" ") {
			return usagef("the kind is reminder, confirmation, cancellation or telemedicine, not %q", args[0])
		}
		if !cmd.Flags().Changed("body") {
			return usagef("give --body (and --subject for e-mail)")
		}
		return a.withSession(func(_ *store.DB, s *store.Session) error {
			cfg, err := s.NotifyConfig()
			if err != nil {
				return err
			}
			if cfg.Templates == nil {
				cfg.Templates = map[core.Purpose]core.Template{}
			}
			if *body == "" {
				delete(cfg.Templates, p)
			} else {
				cfg.Templates[p] = core.Template{Subject: *subject, Body: *body}
			}
			if !s.IsSender(cfg) {
				return usagef("run this on the sending device (%s): setting up here would move the sending to this workstation", cfg.Sender)
			}
			if _, err := s.SetNotifyConfig(cfg, store.NotifySecrets{}); err != nil {
				return err
			}
			_, err = fmt.Fprintf(a.e.stdout, "template %s saved\n", p)
			return err
		})
	}
	return cmd
}

// notifyStatus is what clinic notify status --json prints: the setup
// without secrets, and every patient notification with its attempts.
type notifyStatus struct {
	Config        core.NotifyConfig        `json:"config"`
	ThisIsSender  bool                     `json:"this_is_sender"`
	Secrets       map[string]bool          `json:"secrets_sealed_here"`
	Notifications []store.NotificationView `json:"notifications"`
}

// notifyStatusCmd is clinic notify status.
func (a *app) notifyStatusCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "status [--json]",
		Short: "the gateways, which workstation sends, and every patient notification: delivered, waiting, failed",
		Args:  noArgs,
	}
	cmd.RunE = func(*cobra.Command, []string) error {
		return a.withSession(func(_ *store.DB, s *store.Session) error {
			cfg, err := s.NotifyConfig()
			if err != nil {
				return err
			}
			st := notifyStatus{Config: cfg, ThisIsSender: s.IsSender(cfg), Secrets: map[string]bool{}}
			if st.ThisIsSender {
				if sec, err := s.NotifySecrets(); err == nil {
					st.Secrets["smtp_password"], st.Secrets["sms_token"] = sec.SMTPPassword != "", sec.SMSToken != ""
				}
			}
			if st.Notifications, err = s.PatientNotifications(); err != nil {
				return err
			}
			if a.c.json {
				return table(a.e.stdout, true, st, nil, nil)
			}
			return a.printNotifyStatus(st)
		})
	}
	return cmd
}

// printNotifyStatus writes the setup and the notifications as tables.
func (a *app) printNotifyStatus(st notifyStatus) error {
	c := st.Config
	sender := "device " + c.Sender
	if st.ThisIsSender {
		sender += " (this workstation)"
	}
	sealed := func(k string) string {
		switch {
		case !st.ThisIsSender:
			return "on the sending device"
		case st.Secrets[k]:
			return "sealed here"
		}
		return "not set"
	}
	rows := [][]string{
		{"sending device", sender},
		{"e-mail", orNone(c.SMTPAddr) + " from " + orNone(c.From) + " login " + orNone(c.SMTPUser) + ", password " + sealed("smtp_password")},
		{"SMS", orNone(c.SMSURL) + " account " + orNone(c.SMSAccount) + " from " + orNone(c.SMSFrom) + ", token " + sealed("sms_token")},
		{"reminders", fmt.Sprintf("the day before at %02d:00", c.ReminderHour)},
		{"video links", orNone(c.TeleURL)},
	}
	if err := table(a.e.stdout, false, nil, []string{"SETTING", "VALUE"}, rows); err != nil {
		return err
	}
	if len(st.Notifications) == 0 {
		_, err := fmt.Fprintln(a.e.stdout, "\nno patient notifications yet")
		return err
	}
	rows = nil
	for _, n := range st.Notifications {
		rows = append(rows, []string{
			n.CreatedAt.In(a.e.zone()).Format("2006-01-02 15:04"), n.PatientName, string(n.Purpose), string(n.Channel),
			string(n.Status), strconv.Itoa(n.Attempts), a.notifyNote(n), string(n.ID),
		})
	}
	if _, err := fmt.Fprintln(a.e.stdout); err != nil {
		return err
	}
	return table(a.e.stdout, false, nil, []string{"QUEUED", "PATIENT", "WHAT", "BY", "STATUS", "TRIES", "NOTE", "ID"}, rows)
}

// notifyNote says what the desk needs to know about one notification.
func (a *app) notifyNote(n store.NotificationView) string {
	switch n.Status {
	case core.NotificationPending:
		switch {
		case n.NextAttempt.After(a.e.now()):
			return "retry at " + n.NextAttempt.In(a.e.zone()).Format("15:04") + " after: " + n.LastError
		case n.NotBefore.After(a.e.now()):
			return "goes out " + n.NotBefore.In(a.e.zone()).Format("2006-01-02 15:04")
		}
		return "due"
	case core.NotificationSent:
		return "outcome unknown (the sender stopped while sending); not retried, so it cannot arrive twice"
	case core.NotificationDelivered:
		if len(n.Deliveries) > 0 {
			last := n.Deliveries[len(n.Deliveries)-1]
			return "at " + last.At.In(a.e.zone()).Format("2006-01-02 15:04") + " " + last.Detail
		}
	}
	return n.LastError
}

// orNone is s, or "none".
func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// notifySendDueCmd is clinic notify send-due.
func (a *app) notifySendDueCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "send-due [--json]",
		Short: "queue the reminders now due and send every notification due (on the sending device)",
		Long: `send-due: one pass of what clinic serve and the desk do every minute in the background.
Consent is checked again before every message; a failed one is retried later with a longer wait.`,
		Args: noArgs,
	}
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		return a.withSession(func(_ *store.DB, s *store.Session) error {
			rep, err := notify.Run(cmd.Context(), s, notify.Options{Now: a.e.now})
			if err != nil {
				return err
			}
			if a.c.json {
				return table(a.e.stdout, true, rep, nil, nil)
			}
			_, err = fmt.Fprintf(a.e.stdout, "queued %d reminders; delivered %d, retrying %d, failed %d, cancelled %d\n", rep.Queued, rep.Delivered, rep.Retrying, rep.Failed, rep.Cancelled)
			return err
		})
	}
	return cmd
}
