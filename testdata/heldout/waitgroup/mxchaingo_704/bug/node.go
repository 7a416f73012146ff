// Package bug is a held-out kernel (issue 14): the Elrond (MultiversX) node
// starts its facade's background services in a goroutine that registers
// itself on a WaitGroup with its first statement and only calls Done
// after starting the REST API server, a call that serves until the
// process ends; startNode waits on that group, so whenever the goroutine's
// Add runs before Wait, node startup freezes for good.
//
// Upstream: multiversx/mx-chain-go#704 ("fixed bug that cause seldom application freeze on startup")
// Round: 13
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: startNode builds the facade, then runs go
// ef.StartBackgroundServices(&wg) and wg.Wait(). StartBackgroundServices
// calls wg.Add(1) first, starts the status monitor in a goroutine and
// then starts the REST API, which blocks in ListenAndServe, so its
// wg.Done() is never reached. If the scheduler runs Wait before the new
// goroutine's Add, Wait returns at once and the node starts; otherwise
// startNode waits for ever and the signal handling that follows is never
// set up. The web server and the status monitor are reduced to
// interfaces; the body of StartBackgroundServices is our reading of the
// PR's review, which gives the Add, the blocking REST start and the Done.
//
// Fix (multiversx/mx-chain-go#704): the WaitGroup is gone; startNode calls
// ef.StartBackgroundServices() directly, and the REST API server is
// started in its own goroutine, so the call returns.
package bug

import (
	"log"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// WebServer is the node's REST API server.
type WebServer interface {
	// ListenAndServe serves until the server is closed.
	ListenAndServe() error
	Close() error
}

// StatusMonitor reports the node's status periodically.
type StatusMonitor interface {
	Run()
}

// ElrondNodeFacade is the node's facade for the REST API.
type ElrondNodeFacade struct {
	ws      WebServer
	monitor StatusMonitor
}

// StartBackgroundServices starts the facade's background services.
func (ef *ElrondNodeFacade) StartBackgroundServices(wg *sync.WaitGroup) {
	wg.Add(1) // heldout:site
	go ef.monitor.Run()

	log.Print("starting web server")
	ef.startRest()
	wg.Done()
}

func (ef *ElrondNodeFacade) startRest() {
	if err := ef.ws.ListenAndServe(); err != nil {
		log.Printf("could not start webserver: %v", err)
	}
}

// startNode starts the node and runs until it gets a termination signal.
func startNode(ef *ElrondNodeFacade) error {
	wg := sync.WaitGroup{}
	go ef.StartBackgroundServices(&wg)
	wg.Wait() // heldout:site

	log.Print("bootstrapping node....")
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigs)
	<-sigs
	log.Print("terminating at user's signal...")
	return ef.ws.Close()
}
