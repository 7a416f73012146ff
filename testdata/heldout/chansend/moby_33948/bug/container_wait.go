// Package bug is a held-out kernel (issue 14): the Docker client's
// ContainerWait (API 1.30) reports a failed wait request by sending the
// error on the unbuffered errC it is about to return, before returning it,
// so nobody can be receiving yet and `docker wait does-not-exist` hangs
// for ever instead of printing "No such container".
//
// Upstream: moby/moby#33948 ("Docker hangs indefinitely when issuing a docker wait for non-existent container")
// Round: 11
// Seen: 2026-11-27, development set (helpers read this round-11 kernel to tune the analyzers, after round 11 was measured)
//
// Bug: since 17.06 ContainerWait posts /containers/{id}/wait itself, so
// that the caller can order the wait before a ContainerStart, and only
// then starts a goroutine decoding the response into resultC or errC.
// When the post fails (404 for a missing container) it does `errC <- err`
// and `return resultC, errC`; errC is unbuffered and the CLI's
// waitOnContainer selects on the two channels only after the call has
// returned, so the send blocks for ever. The legacy (API < 1.30) path,
// which sends from a goroutine, is kept for comparison and does not block.
// The HTTP layer is reduced to a poster interface; the CLI's wait loop is
// our reduction of cli/command/container/wait.go.
//
// Fix (moby/moby@4d2d2ea, backported in docker/docker-ce#106): errC gets
// a buffer of one, so the error is parked in the channel and the caller
// receives it after ContainerWait returns.
package bug

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
)

// ContainerWaitOKBody is the exit status of a container.
type ContainerWaitOKBody struct {
	StatusCode int64
}

// WaitCondition is the state to wait for.
type WaitCondition string

type serverResponse struct {
	body io.ReadCloser
}

func ensureReaderClosed(resp serverResponse) {
	if resp.body != nil {
		resp.body.Close()
	}
}

// poster sends an API request.
type poster interface {
	post(ctx context.Context, path string, query map[string]string) (serverResponse, error)
}

// Client is the Docker API client.
type Client struct {
	transport poster
	version   string
}

// ContainerWait waits until the container reaches condition. With API
// 1.30 it blocks until the server has acknowledged the request, then
// returns the channels on which the exit status or an error arrive.
func (cli *Client) ContainerWait(ctx context.Context, containerID string, condition WaitCondition) (<-chan ContainerWaitOKBody, <-chan error) {
	if cli.version < "1.30" {
		return cli.legacyContainerWait(ctx, containerID)
	}

	resultC := make(chan ContainerWaitOKBody)
	errC := make(chan error)

	query := map[string]string{"condition": string(condition)}

	resp, err := cli.transport.post(ctx, "/containers/"+containerID+"/wait", query)
	if err != nil {
		defer ensureReaderClosed(resp)
		errC <- err // heldout:site
		return resultC, errC
	}

	go func() {
		defer ensureReaderClosed(resp)
		var res ContainerWaitOKBody
		if err := json.NewDecoder(resp.body).Decode(&res); err != nil {
			errC <- err
			return
		}

		resultC <- res
	}()

	return resultC, errC
}

// legacyContainerWait returns immediately and waits in a goroutine.
func (cli *Client) legacyContainerWait(ctx context.Context, containerID string) (<-chan ContainerWaitOKBody, <-chan error) {
	resultC := make(chan ContainerWaitOKBody)
	errC := make(chan error)

	go func() {
		resp, err := cli.transport.post(ctx, "/containers/"+containerID+"/wait", nil)
		if err != nil {
			errC <- err
			return
		}
		defer ensureReaderClosed(resp)

		var res ContainerWaitOKBody
		if err := json.NewDecoder(resp.body).Decode(&res); err != nil {
			errC <- err
			return
		}

		resultC <- res
	}()

	return resultC, errC
}

// runWait is `docker wait`: it prints each container's exit code.
func runWait(ctx context.Context, cli *Client, out io.Writer, containers []string) error {
	var errs []string
	for _, container := range containers {
		resultC, errC := cli.ContainerWait(ctx, container, "") // heldout:site
		select {
		case result := <-resultC:
			fmt.Fprintf(out, "%d\n", result.StatusCode)
		case err := <-errC:
			errs = append(errs, err.Error())
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%v", errs)
	}
	return nil
}
