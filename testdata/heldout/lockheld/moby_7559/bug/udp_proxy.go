// Package bug is a held-out kernel (issue 14): a lock left held by one loop
// iteration and taken again by the next.
//
// Upstream: moby/moby#7559 (docker-proxy UDP: connTrackLock not released when dialing the backend fails)
//
// Bug: UDPProxy.Run locks connTrackLock to look the client up in the
// connection table; when the client is new and dialing the backend fails,
// the loop continues with the lock still held, and the next datagram's
// Lock blocks forever (as does replyLoop's cleanup).
//
// Fix: unlock before continuing.
package bug

import (
	"log"
	"net"
	"sync"
)

type connTrackKey struct {
	IPHigh uint64
	IPLow  uint64
	Port   int
}

func newConnTrackKey(addr *net.UDPAddr) *connTrackKey {
	return &connTrackKey{Port: addr.Port}
}

type connTrackMap map[connTrackKey]*net.UDPConn

// UDPProxy relays datagrams between a frontend and a backend address.
type UDPProxy struct {
	listener       *net.UDPConn
	frontendAddr   *net.UDPAddr
	backendAddr    *net.UDPAddr
	connTrackTable connTrackMap
	connTrackLock  sync.Mutex
}

func (proxy *UDPProxy) replyLoop(proxyConn *net.UDPConn, clientAddr *net.UDPAddr, clientKey *connTrackKey) {
	defer func() {
		proxy.connTrackLock.Lock() // heldout:site
		delete(proxy.connTrackTable, *clientKey)
		proxy.connTrackLock.Unlock()
		proxyConn.Close()
	}()
	buf := make([]byte, 65507)
	for {
		n, err := proxyConn.Read(buf)
		if err != nil {
			return
		}
		proxy.listener.WriteToUDP(buf[:n], clientAddr)
	}
}

// Run relays until the listener is closed.
func (proxy *UDPProxy) Run() {
	readBuf := make([]byte, 65507)
	for {
		read, from, err := proxy.listener.ReadFromUDP(readBuf)
		if err != nil {
			return
		}
		fromKey := newConnTrackKey(from)
		proxy.connTrackLock.Lock() // heldout:site
		proxyConn, hit := proxy.connTrackTable[*fromKey]
		if !hit {
			proxyConn, err = net.DialUDP("udp", nil, proxy.backendAddr)
			if err != nil {
				log.Printf("Can't proxy a datagram to udp/%s: %s\n", proxy.backendAddr, err)
				continue // heldout:site
			}
			proxy.connTrackTable[*fromKey] = proxyConn
			go proxy.replyLoop(proxyConn, from, fromKey)
		}
		proxy.connTrackLock.Unlock()
		proxyConn.Write(readBuf[:read])
	}
}
