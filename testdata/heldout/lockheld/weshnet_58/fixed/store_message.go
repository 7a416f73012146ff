// Package fixed is the fixed version of lockheld/weshnet_58: every
// `continue` of the processing loop unlocks the device-cache mutex first.
package fixed

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
	m.muDeviceCaches.RLock()
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

		m.muDeviceCaches.Lock()
		device, ok := m.deviceCaches[devicePublicKeyString]
		if !ok {
			devicePublicKey, err := m.secretStore.ParseDeviceKey(message.headers.DevicePK)
			if err != nil {
				m.muDeviceCaches.Unlock()
				continue
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
			m.muDeviceCaches.Unlock()
			continue
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
