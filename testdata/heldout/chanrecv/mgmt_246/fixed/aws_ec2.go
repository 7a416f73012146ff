// Package fixed is the fixed version of chanrecv/mgmt_246: longpollWatch
// closes closeChan on every return, before it waits for its goroutines.
package fixed

import (
	"context"
	"errors"
	"fmt"
	"log"
	"sync"
)

// Event is a message from the engine to a resource's Watch.
type Event struct {
	Exit bool
}

// BaseRes is the engine's part of every resource.
type BaseRes struct {
	Name   string
	events chan Event
	state  bool
}

// Init readies the engine's side of the resource.
func (obj *BaseRes) Init() error {
	obj.events = make(chan Event)
	return nil
}

// Events is the channel the engine sends on.
func (obj *BaseRes) Events() chan Event { return obj.events }

// ReadEvent processes an engine event; a non-nil exit means return it.
func (obj *BaseRes) ReadEvent(ev Event) (exit *error, send bool) {
	if ev.Exit {
		var err error
		return &err, false
	}
	return nil, true
}

// Running tells the engine the watcher is up.
func (obj *BaseRes) Running() error { return nil }

// Event tells the engine the resource changed.
func (obj *BaseRes) Event() {}

// StateOK records whether the resource is in its desired state.
func (obj *BaseRes) StateOK(ok bool) { obj.state = ok }

// Reservation is one reservation in a describe result.
type Reservation struct {
	InstanceID string
	State      string
}

// EC2API is the part of the AWS EC2 client the resource uses.
type EC2API interface {
	DescribeInstances(ctx context.Context, name string) ([]Reservation, error)
	WaitUntilInstanceStoppedWithContext(ctx context.Context, id string) error
	WaitUntilInstanceRunningWithContext(ctx context.Context, id string) error
}

type awsEc2Event uint8

const (
	awsEc2EventNone awsEc2Event = iota
	awsEc2EventInstanceStopped
	awsEc2EventInstanceRunning
)

// chanStruct carries an event or an error to Watch.
type chanStruct struct {
	event awsEc2Event
	err   error
}

// AwsEc2Res is an AWS EC2 instance resource.
type AwsEc2Res struct {
	BaseRes
	State string

	client EC2API

	awsChan   chan *chanStruct // events and errors for Watch
	closeChan chan struct{}    // closed to cancel the context at shutdown
	wg        *sync.WaitGroup  // goroutines started by Watch
}

// NewAwsEc2Res returns a resource using client.
func NewAwsEc2Res(name, state string, client EC2API) *AwsEc2Res {
	return &AwsEc2Res{BaseRes: BaseRes{Name: name}, State: state, client: client}
}

// Init initializes the resource.
func (obj *AwsEc2Res) Init() error {
	obj.awsChan = make(chan *chanStruct)
	obj.closeChan = make(chan struct{})
	obj.wg = &sync.WaitGroup{}
	return obj.BaseRes.Init()
}

// Watch is the resource's listener; it returns when the engine says exit or
// on an error.
func (obj *AwsEc2Res) Watch() error {
	return obj.longpollWatch()
}

func (obj *AwsEc2Res) sendErr(err error) {
	select {
	case obj.awsChan <- &chanStruct{err: err}:
	case <-obj.closeChan:
	}
}

func (obj *AwsEc2Res) longpollWatch() error {
	send := false
	var exit *error
	if err := obj.Running(); err != nil {
		return err
	}
	defer obj.wg.Wait()
	defer close(obj.closeChan)
	ctx, cancel := context.WithCancel(context.TODO())
	obj.wg.Add(1)
	go func() {
		defer obj.wg.Done()
		select {
		case <-obj.closeChan:
			cancel()
		}
	}()
	obj.wg.Add(1)
	go func() {
		defer obj.wg.Done()
		defer close(obj.awsChan)
		for {
			res, err := obj.client.DescribeInstances(ctx, obj.Name)
			if err != nil {
				obj.sendErr(fmt.Errorf("error describing instances: %w", err))
				return
			}
			if len(res) == 1 && obj.State == "running" {
				if err := obj.client.WaitUntilInstanceStoppedWithContext(ctx, res[0].InstanceID); err != nil {
					obj.sendErr(fmt.Errorf("unknown error waiting for instance to stop: %w", err))
					return
				}
				select {
				case obj.awsChan <- &chanStruct{event: awsEc2EventInstanceStopped}:
				case <-obj.closeChan:
					return
				}
			}
			if len(res) == 1 && obj.State == "stopped" {
				if err := obj.client.WaitUntilInstanceRunningWithContext(ctx, res[0].InstanceID); err != nil {
					obj.sendErr(fmt.Errorf("unknown error waiting for instance to start: %w", err))
					return
				}
				select {
				case obj.awsChan <- &chanStruct{event: awsEc2EventInstanceRunning}:
				case <-obj.closeChan:
					return
				}
			}
			select {
			case <-obj.closeChan:
				return
			default:
			}
		}
	}()
	for {
		select {
		case event := <-obj.Events():
			if exit, send = obj.ReadEvent(event); exit != nil {
				return *exit
			}
		case msg, ok := <-obj.awsChan:
			if !ok {
				return errors.New("poller stopped")
			}
			if err := msg.err; err != nil {
				return err
			}
			log.Printf("%s: State: %v", obj.Name, msg.event)
			obj.StateOK(false)
			send = true
		}
		if send {
			send = false
			obj.Event()
		}
	}
}
