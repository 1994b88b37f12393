package notify

import (
	"context"
	"crypto/tls"
	"errors"
	"net/http"
	"time"

	"medisecure/core"
	"medisecure/store"
)

// Options are what Run needs besides the store: all have usable zero
// values.
type Options struct {
	// MailTLS configures STARTTLS (nil: the system's roots and the
	// server's name).
	MailTLS *tls.Config
	// HTTP is the SMS gateway's client (nil: a 30-second timeout).
	HTTP *http.Client
	// Hello is the name this workstation gives in EHLO.
	Hello string
	// Now stamps the mail's Date header (nil: time.Now).
	Now func() time.Time
}

// Report counts what one pass did.
type Report struct {
	Queued    int `json:"queued"`
	Delivered int `json:"delivered"`
	Retrying  int `json:"retrying"`
	Failed    int `json:"failed"`
	Cancelled int `json:"cancelled"`
}

// Run is one pass of send-due on the sending device: it queues the
// reminders now due, then tries every notification due, each attempt
// started in the store before its gateway is called and its result
// recorded after. A workstation that is not the sending device gets
// store.ErrNotSender and sends nothing.
func Run(ctx context.Context, s *store.Session, o Options) (Report, error) {
	var rep Report
	cfg, err := s.NotifyConfig()
	if err != nil {
		return rep, err
	}
	sec, err := s.NotifySecrets()
	if err != nil {
		return rep, err
	}
	if rep.Queued, err = s.QueueReminders(); err != nil {
		return rep, err
	}
	due, err := s.DueNotifications()
	if err != nil {
		return rep, err
	}
	g := gateways{cfg: cfg, sec: sec, o: o}
	for _, id := range due {
		if ctx.Err() != nil {
			return rep, ctx.Err()
		}
		out, err := s.BeginDelivery(id)
		switch {
		case errors.Is(err, core.ErrInvalid):
			continue // no longer due: another pass took it
		case err != nil:
			return rep, err
		case out.Notification.Status == core.NotificationCancelled:
			rep.Cancelled++
			continue
		}
		n, err := s.FinishDelivery(id, out.Attempt, g.deliver(ctx, out))
		if err != nil {
			return rep, err
		}
		switch n.Status {
		case core.NotificationDelivered:
			rep.Delivered++
		case core.NotificationPending:
			rep.Retrying++
		default:
			rep.Failed++
		}
	}
	return rep, nil
}

// gateways are the adapters made from the clinic's setup and this
// device's secrets.
type gateways struct {
	cfg core.NotifyConfig
	sec store.NotifySecrets
	o   Options
}

// deliver hands one notification to its gateway and says what came back.
func (g gateways) deliver(ctx context.Context, out store.Outgoing) store.DeliveryResult {
	n := out.Notification
	var detail string
	var err error
	switch n.Channel {
	case core.ChannelEmail:
		now := time.Now
		if g.o.Now != nil {
			now = g.o.Now
		}
		m := &Mailer{Addr: g.cfg.SMTPAddr, From: g.cfg.From, User: g.cfg.SMTPUser, Password: g.sec.SMTPPassword, TLS: g.o.MailTLS, Hello: g.o.Hello}
		err = m.Send(ctx, Mail{To: out.To, Subject: n.Subject, Body: n.Body, MessageID: string(n.ID) + "@medisecure", Date: now()})
		detail = "accepted by " + g.cfg.SMTPAddr
	case core.ChannelSMS:
		sms := &SMSGateway{BaseURL: g.cfg.SMSURL, Account: g.cfg.SMSAccount, Token: g.sec.SMSToken, From: g.cfg.SMSFrom, Client: g.o.HTTP}
		detail, err = sms.Send(ctx, SMS{To: out.To, Body: n.Body})
	default:
		return store.DeliveryResult{Permanent: true, Detail: "no gateway for " + string(n.Channel)}
	}
	if err != nil {
		var refused *Refused
		return store.DeliveryResult{Permanent: errors.As(err, &refused), Detail: err.Error()}
	}
	return store.DeliveryResult{Delivered: true, Detail: detail}
}
