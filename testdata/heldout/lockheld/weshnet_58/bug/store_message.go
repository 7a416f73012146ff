// Package bug is a held-out kernel (issue 14): a group message store
// whose processing loop locks the device-cache mutex for each message and
// unlocks it at the end of the iteration or before a `continue`; two of
// its `continue`s (a device key that does not parse, a message that fails
// to open) leave the mutex locked, so the loop's next message blocks on
// Lock for ever, and so does every reader of the device caches.
//
// Upstream: berty/weshnet#58 ("fix: In processMessageLoop, call muDeviceCaches.Unlock() before continue")
// Round: 10
// Seen: 2026-11-27, development set (helpers read this round-10 kernel to tune the analyzers, after round 10 was measured)
//
// Bug: the PR: "PR #45 changed processMessageLoop to not use a goroutine.
// After an error, it does continue. But we need to unlock the mutex
// before continue, similar to another place in the same function." The
// loop is the one in store_message.go at that time: muDeviceCaches.Lock,
// look up or create the device's groupCache, queue the message if the
// device's chain key is unknown (Unlock, continue), else processMessage;
// on error it queued the message and did `continue` with the mutex held.
// The `continue` after a device key that fails to unmarshal had the same
// omission. Crypto, the event bus and the orbit-db store are reduced to
// small interfaces; the re-feeding goroutine selects on ctx as well so
// that the kernel has no leak of its own.
//
// Fix: Unlock before the error path's continue (our fixed version does
// the same after the unmarshal failure).
package bug

import (
	"context"
	"errors"
	"sync"
)

// Headers are a message's cleartext headers.
type Headers struct {
	DevicePK []byte
	Counter  uint64
}

type messageItem struct {
	hash    string
	env     []byte
	headers *Headers
}

// GroupMessageEvent is a decrypted message.
type GroupMessageEvent struct {
	Headers *Headers
	Message []byte
}

// SecretStore holds the chain keys of the group's devices.
type SecretStore interface {
	ParseDeviceKey(raw []byte) (string, error)
	IsChainKeyKnownForDevice(ctx context.Context, device string) bool
	OpenEnvelopePayload(ctx context.Context, env []byte, h *Headers) ([]byte, error)
}

// Emitter publishes events.
type Emitter interface {
	Emit(evt interface{}) error
}

// ErrCryptoDecryptPayload says a payload could not be decrypted yet.
var ErrCryptoDecryptPayload = errors.New("unable to decrypt payload")

type priorityMessageQueue struct {
	mu    sync.Mutex
	items []*messageItem
}

func (q *priorityMessageQueue) Add(m *messageItem) {
	q.mu.Lock()
	q.items = append(q.items, m)
	q.mu.Unlock()
}

func (q *priorityMessageQueue) Next() *messageItem {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.items) == 0 {
		return nil
	}
	m := q.items[0]
	q.items = q.items[1:]
	return m
}

func (q *priorityMessageQueue) Size() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.items)
}

type groupCache struct {
	self, hasKnownChainKey bool
	queue                  *priorityMessageQueue
}

// MessageStore decrypts and publishes a group's messages.
type MessageStore struct {
	secretStore SecretStore
	ownDevice   string
	emitters    struct {
		groupMessage      Emitter
		groupCacheMessage Emitter
	}

	deviceCaches   map[string]*groupCache
	muDeviceCaches sync.RWMutex
	cmessage       chan *messageItem
}

// CacheSizeForDevicePK returns how many messages wait for a device's key.
func (m *MessageStore) CacheSizeForDevicePK(devicePK []byte) (size int, ok bool) {
	m.muDeviceCaches.RLock() // heldout:site
	var device *groupCache
	if device, ok = m.deviceCaches[string(devicePK)]; ok {
		size = device.queue.Size()
	}
	m.muDeviceCaches.RUnlock()
	return
}

func (m *MessageStore) processMessage(ctx context.Context, message *messageItem) (*GroupMessageEvent, error) {
	msg, err := m.secretStore.OpenEnvelopePayload(ctx, message.env, message.headers)
	if err != nil {
		return nil, err
	}
	return &GroupMessageEvent{Headers: message.headers, Message: msg}, nil
}

func (m *MessageStore) processMessageLoop(ctx context.Context) {
	for {
		var message *messageItem
		select {
		case message = <-m.cmessage:
		case <-ctx.Done():
			return
		}

		devicePublicKeyString := string(message.headers.DevicePK)

		m.muDeviceCaches.Lock() // heldout:site
		device, ok := m.deviceCaches[devicePublicKeyString]
		if !ok {
			devicePublicKey, err := m.secretStore.ParseDeviceKey(message.headers.DevicePK)
			if err != nil {
				continue // heldout:site
			}
			device = &groupCache{
				self:             devicePublicKey == m.ownDevice,
				queue:            &priorityMessageQueue{},
				hasKnownChainKey: m.secretStore.IsChainKeyKnownForDevice(ctx, devicePublicKey),
			}
			m.deviceCaches[devicePublicKeyString] = device
		}

		// No chain key for the device yet: keep the message for later.
		if !device.hasKnownChainKey {
			device.queue.Add(message)
			_ = m.emitters.groupCacheMessage.Emit(*message)
			m.muDeviceCaches.Unlock()
			continue
		}

		evt, err := m.processMessage(ctx, message)
		if err != nil {
			if errors.Is(err, ErrCryptoDecryptPayload) {
				// Keep the envelope for a later attempt.
				device.queue.Add(message)
				_ = m.emitters.groupCacheMessage.Emit(*message)
			}
			continue // heldout:site
		}

		_ = m.emitters.groupMessage.Emit(*evt)

		if next := device.queue.Next(); next != nil {
			go func() {
				select {
				case m.cmessage <- next:
				case <-ctx.Done():
				}
			}()
		}

		m.muDeviceCaches.Unlock()
	}
}

// addToMessageQueue hands a replicated entry to the processing loop.
func (m *MessageStore) addToMessageQueue(ctx context.Context, msg *messageItem) {
	select {
	case <-ctx.Done():
	case m.cmessage <- msg:
	}
}

// NewMessageStore starts the processing loop; cancel ctx to stop it.
func NewMessageStore(ctx context.Context, ss SecretStore, own string, msgs, cached Emitter) *MessageStore {
	m := &MessageStore{
		secretStore:  ss,
		ownDevice:    own,
		deviceCaches: make(map[string]*groupCache),
		cmessage:     make(chan *messageItem),
	}
	m.emitters.groupMessage = msgs
	m.emitters.groupCacheMessage = cached
	go m.processMessageLoop(ctx)
	return m
}
