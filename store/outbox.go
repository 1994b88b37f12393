package store

// OutboxCount returns how many local changes the outbox holds with a
// sequence above after and at most last: how many changes a pushed batch
// covering after+1 to last carries. It reads only the outbox's keys, so
// it costs nothing like Outbox, which opens and decodes every change.
func (s *Session) OutboxCount(after, last uint64) (int, error) {
	n := 0
	err := s.view(func(t *txn) error {
		c := t.tx.Bucket(bucketOutbox).Cursor()
		for k, _ := c.Seek(u64(after + 1)); k != nil && len(k) == 8 && be64(k) <= last; k, _ = c.Next() {
			n++
		}
		return nil
	})
	return n, err
}

// outboxRoom is how many changes an outbox page makes room for at once: a
// pushed batch's worth, at most (sync/client.DefaultBatchChanges).
const outboxRoom = 512
