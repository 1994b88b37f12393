package store

import (
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"medisecure/core"
)

// ErrNotSender is returned when a workstation that is not the clinic's
// sending device is asked to send notifications.
var ErrNotSender = core.NewError(core.ClassValidation, "store: this workstation does not send notifications")

// ErrNotConfigured is returned when notifications are asked for before
// clinic notify config set them up.
var ErrNotConfigured = core.NewError(core.ClassValidation, "store: notifications are not set up")

// metaNotifySecrets holds the gateways' secrets in this device's meta
// bucket, sealed under the store key. They never sync: only the sending
// device has them.
var metaNotifySecrets = []byte("notify_secrets")

// NotifySecrets are the gateways' passwords: the SMTP password and the SMS
// gateway's auth token. They are sealed on the sending device and never
// printed, exported or synced.
type NotifySecrets struct {
	SMTPPassword string `json:"smtp_password"`
	SMSToken     string `json:"sms_token"`
}

// SetNotifyConfig records the clinic's notification setup and makes this
// workstation its sending device (the record syncs, so every other
// workstation learns it stops sending). Secrets given (non-empty) replace
// the ones sealed here; empty ones keep what was there. It returns the
// setup as stored.
func (s *Session) SetNotifyConfig(cfg core.NotifyConfig, sec NotifySecrets) (core.NotifyConfig, error) {
	cfg.ID, cfg.Sender = core.NotifyConfigID, s.db.dev.ID
	err := s.update(func(t *txn) error {
		rec, err := t.load(core.KindNotifyConfig, cfg.ID)
		if err != nil {
			return err
		}
		if rec.Exists() && !rec.Deleted() {
			var old core.NotifyConfig
			if err := rec.Decode(&old); err != nil {
				return err
			}
			cfg.Meta = old.Meta
			err = t.save(&cfg)
		} else {
			err = t.create(&cfg)
		}
		if err != nil {
			return err
		}
		old, err := t.notifySecrets()
		if err != nil {
			return err
		}
		if sec.SMTPPassword == "" {
			sec.SMTPPassword = old.SMTPPassword
		}
		if sec.SMSToken == "" {
			sec.SMSToken = old.SMSToken
		}
		return t.tx.Bucket(bucketMeta).Put(metaNotifySecrets, t.keys.store.seal(bucketMeta, metaNotifySecrets, mustJSON(sec)))
	})
	return cfg, err
}

// NotifyConfig returns the clinic's notification setup, or
// ErrNotConfigured.
func (s *Session) NotifyConfig() (core.NotifyConfig, error) {
	var cfg core.NotifyConfig
	if err := s.authorize(core.ActRead, core.KindNotifyConfig); err != nil {
		return cfg, err
	}
	err := s.view(func(t *txn) error {
		c, ok, err := t.notifyConfig()
		if err == nil && !ok {
			err = fmt.Errorf("%w: run clinic notify config on the workstation that is to send", ErrNotConfigured)
		}
		cfg = c
		return err
	})
	return cfg, err
}

// IsSender reports whether this workstation is the clinic's sending device.
func (s *Session) IsSender(cfg core.NotifyConfig) bool { return cfg.Sender == s.db.dev.ID }

// NotifySecrets returns the gateways' secrets sealed on this workstation,
// for the delivery adapters only; it is ErrNotSender elsewhere.
func (s *Session) NotifySecrets() (NotifySecrets, error) {
	var sec NotifySecrets
	if err := s.authorize(core.ActUpdate, core.KindNotification); err != nil {
		return sec, err
	}
	err := s.view(func(t *txn) error {
		cfg, ok, err := t.notifyConfig()
		switch {
		case err != nil:
			return err
		case !ok:
			return ErrNotConfigured
		case cfg.Sender != s.db.dev.ID:
			return fmt.Errorf("%w: device %s sends", ErrNotSender, cfg.Sender)
		}
		sec, err = t.notifySecrets()
		return err
	})
	return sec, err
}

// notifyConfig reads the setup; ok is false when there is none.
func (t *txn) notifyConfig() (core.NotifyConfig, bool, error) {
	var cfg core.NotifyConfig
	rec, err := t.load(core.KindNotifyConfig, core.NotifyConfigID)
	if err != nil || !rec.Exists() || rec.Deleted() {
		return cfg, false, err
	}
	return cfg, true, rec.Decode(&cfg)
}

// notifySecrets opens the secrets sealed on this device (none: empty).
func (t *txn) notifySecrets() (NotifySecrets, error) {
	var sec NotifySecrets
	v := t.tx.Bucket(bucketMeta).Get(metaNotifySecrets)
	if v == nil {
		return sec, nil
	}
	plain, err := t.keys.store.open(bucketMeta, metaNotifySecrets, v)
	if err != nil || json.Unmarshal(plain, &sec) != nil {
		return sec, corrupt("the gateways' secrets", nil)
	}
	return sec, nil
}

// migrateNotifyBuckets adds the records buckets for the notification setup
// and the delivery steps.
func migrateNotifyBuckets(tx *bolt.Tx) error {
	for _, k := range []core.Kind{core.KindNotifyConfig, core.KindDelivery} {
		if _, err := tx.Bucket(bucketRecords).CreateBucketIfNotExists([]byte(k)); err != nil {
			return err
		}
	}
	return nil
}
