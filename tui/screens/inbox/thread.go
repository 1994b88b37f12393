package inbox

import (
	"slices"

	"medisecure/core"
)

// A thread is a message and every reply to it, and to those replies, that
// the user holds. Its root is the oldest message of the chain the user has;
// a reply to a message they were never sent starts a thread of its own.

// maxDepth bounds the walk up a chain of replies (a loop of ReplyTo, which
// honest workstations never write, ends there).
const maxDepth = 1000

// thread is the messages of one thread, oldest first.
type thread struct {
	root core.ID
	msgs []core.Message
}

// newest is the thread's latest message.
func (t thread) newest() core.Message { return t.msgs[len(t.msgs)-1] }

// rootOf follows m's ReplyTo through the messages in byID.
func rootOf(m core.Message, byID map[core.ID]core.Message) core.ID {
	id := m.ID
	for range maxDepth {
		parent, ok := byID[m.ReplyTo]
		if m.ReplyTo == "" || !ok || parent.ID == id {
			break
		}
		m = parent
	}
	return m.ID
}

// threads groups list (of which all holds every message the user has, so
// that a search hit keeps its thread) into threads, the one with the latest
// message first.
func threads(list, all []core.Message) []thread {
	byID := make(map[core.ID]core.Message, len(all))
	for _, m := range all {
		byID[m.ID] = m
	}
	at := map[core.ID]int{}
	var out []thread
	for _, m := range list {
		r := rootOf(m, byID)
		i, ok := at[r]
		if !ok {
			i = len(out)
			at[r] = i
			out = append(out, thread{root: r})
		}
		out[i].msgs = append(out[i].msgs, m)
	}
	for i := range out {
		slices.SortStableFunc(out[i].msgs, func(a, b core.Message) int { return a.CreatedAt.Compare(b.CreatedAt) })
	}
	slices.SortStableFunc(out, func(a, b thread) int { return b.newest().CreatedAt.Compare(a.newest().CreatedAt) })
	return out
}

// threadOf is the thread of message id among all, oldest first.
func threadOf(id core.ID, all []core.Message) []core.Message {
	byID := make(map[core.ID]core.Message, len(all))
	for _, m := range all {
		byID[m.ID] = m
	}
	m, ok := byID[id]
	if !ok {
		return nil
	}
	root := rootOf(m, byID)
	var out []core.Message
	for _, o := range all {
		if rootOf(o, byID) == root {
			out = append(out, o)
		}
	}
	slices.SortStableFunc(out, func(a, b core.Message) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return out
}
