// Package fixed is the fixed version of waitgroup/mxchaingo_704: the
// background services are started directly, with the REST API server in
// its own goroutine, and no WaitGroup waits for a call that never returns.
package fixed

import (
	"log"
	"os"
	"os/signal"
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
func (ef *ElrondNodeFacade) StartBackgroundServices() {
	go ef.monitor.Run()

	log.Print("starting web server")
	go ef.startRest()
}

func (ef *ElrondNodeFacade) startRest() {
	if err := ef.ws.ListenAndServe(); err != nil {
		log.Printf("could not start webserver: %v", err)
	}
}

// startNode starts the node and runs until it gets a termination signal.
func startNode(ef *ElrondNodeFacade) error {
	log.Print("starting background services")
	ef.StartBackgroundServices()

	log.Print("bootstrapping node....")
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigs)
	<-sigs
	log.Print("terminating at user's signal...")
	return ef.ws.Close()
}
