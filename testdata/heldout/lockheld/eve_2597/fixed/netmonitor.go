// Package fixed is the fixed version of lockheld/eve_2597: the watcher's
// resolv.conf case looks the interface up before locking the monitor and
// holds the lock only to update the cache and publish, so no continue
// leaves it locked.
package fixed

import (
	"context"
	"net"
	"strings"
	"sync"
)

// Event is something that changed in the network stack.
type Event interface{ isEvent() }

// AddrChange says an address was added to or removed from an interface.
type AddrChange struct {
	IfIndex int
	Addr    *net.IPNet
	Deleted bool
}

// DNSInfoChange says an interface's resolv.conf changed.
type DNSInfoChange struct {
	IfIndex int
	Info    DNSInfo
}

func (AddrChange) isEvent()    {}
func (DNSInfoChange) isEvent() {}

// DNSInfo is what an interface's resolv.conf says.
type DNSInfo struct {
	ResolvConfPath string
	DNSServers     []net.IP
}

// FileOp is what happened to a watched file.
type FileOp int

// File operations reported by the watcher.
const (
	Create FileOp = iota
	Write
	Remove
	Chmod
)

// FileEvent is one change of a watched file.
type FileEvent struct {
	Name string
	Op   FileOp
}

// Links looks interfaces up in the kernel.
type Links interface {
	IndexByName(ifName string) (int, error)
	ReadResolvConf(path string) DNSInfo
}

type subscriber struct {
	name   string
	events chan Event
	done   <-chan struct{}
}

// LinuxNetworkMonitor caches interface state and publishes its changes.
type LinuxNetworkMonitor struct {
	sync.Mutex
	links Links

	eventSubs      []subscriber
	ifIndexToAddrs map[int][]*net.IPNet
	ifIndexToDNS   map[int]DNSInfo
}

// NewLinuxNetworkMonitor starts the watcher over the given change feeds.
func NewLinuxNetworkMonitor(links Links, addrChan <-chan AddrChange, dnsEvents <-chan FileEvent) *LinuxNetworkMonitor {
	m := &LinuxNetworkMonitor{
		links:          links,
		ifIndexToAddrs: make(map[int][]*net.IPNet),
		ifIndexToDNS:   make(map[int]DNSInfo),
	}
	go m.watcher(addrChan, dnsEvents)
	return m
}

// WatchEvents subscribes to the monitor's events until ctx is done.
func (m *LinuxNetworkMonitor) WatchEvents(ctx context.Context, subName string) <-chan Event {
	m.Lock()
	defer m.Unlock()
	sub := subscriber{name: subName, events: make(chan Event, 64), done: ctx.Done()}
	m.eventSubs = append(m.eventSubs, sub)
	return sub.events
}

// GetInterfaceDNSInfo returns the cached DNS info of an interface.
func (m *LinuxNetworkMonitor) GetInterfaceDNSInfo(ifIndex int) (DNSInfo, bool) {
	m.Lock()
	defer m.Unlock()
	info, ok := m.ifIndexToDNS[ifIndex]
	return info, ok
}

func resolvConfToIfname(path string) string {
	const suffix = ".resolv.conf"
	base := path[strings.LastIndex(path, "/")+1:]
	if !strings.HasSuffix(base, suffix) {
		return ""
	}
	return strings.TrimSuffix(base, suffix)
}

func (m *LinuxNetworkMonitor) watcher(addrChan <-chan AddrChange, dnsEvents <-chan FileEvent) {
	for {
		select {
		case addrUpdate, ok := <-addrChan:
			if !ok {
				return
			}
			m.Lock()
			m.publishEvent(addrUpdate)
			delete(m.ifIndexToAddrs, addrUpdate.IfIndex)
			m.Unlock()

		case dnsChange, ok := <-dnsEvents:
			if !ok {
				return
			}
			switch dnsChange.Op {
			case Create, Remove, Write:
				ifName := resolvConfToIfname(dnsChange.Name)
				if ifName == "" {
					continue
				}
				ifIndex, err := m.links.IndexByName(ifName)
				if err != nil {
					continue
				}
				event := DNSInfoChange{IfIndex: ifIndex}
				if dnsChange.Op != Remove {
					event.Info = m.links.ReadResolvConf(dnsChange.Name)
				}
				m.Lock()
				if dnsChange.Op == Remove {
					delete(m.ifIndexToDNS, ifIndex)
				} else {
					m.ifIndexToDNS[ifIndex] = event.Info
				}
				m.publishEvent(event)
				m.Unlock()
			}
		}
	}
}

// publishEvent runs with the monitor locked.
func (m *LinuxNetworkMonitor) publishEvent(ev Event) {
	var active []subscriber
	for _, sub := range m.eventSubs {
		select {
		case <-sub.done:
			continue
		default:
		}
		select {
		case sub.events <- ev:
		default:
		}
		active = append(active, sub)
	}
	m.eventSubs = active
}

type staticLinks map[string]int

func (l staticLinks) IndexByName(ifName string) (int, error) {
	if idx, ok := l[ifName]; ok {
		return idx, nil
	}
	return 0, &net.AddrError{Err: "link not found", Addr: ifName}
}

func (l staticLinks) ReadResolvConf(path string) DNSInfo {
	return DNSInfo{ResolvConfPath: path}
}

// Run feeds the monitor a resolv.conf change for an interface that is
// already gone, then asks for eth0's DNS info.
func Run() (DNSInfo, bool) {
	addrChan := make(chan AddrChange)
	dnsEvents := make(chan FileEvent)
	m := NewLinuxNetworkMonitor(staticLinks{"eth0": 2}, addrChan, dnsEvents)
	defer close(addrChan)
	defer close(dnsEvents)

	dnsEvents <- FileEvent{Name: "/run/wlan0.resolv.conf", Op: Write}
	dnsEvents <- FileEvent{Name: "/run/eth0.resolv.conf", Op: Write}
	return m.GetInterfaceDNSInfo(2)
}
