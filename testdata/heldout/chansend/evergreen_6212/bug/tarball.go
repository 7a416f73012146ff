// Package bug is a held-out kernel (issue 14): the Evergreen agent's
// archive.targz_pack command builds the archive in a goroutine that
// reports on an unbuffered errChan, while Execute waits on errChan or on
// the task's context; when the task is aborted Execute returns on
// ctx.Done() and the archiving goroutine blocks for ever on its send.
//
// Upstream: evergreen-ci/evergreen#6212 ("EVG-18006 Use select statement for agent commands at risk of blocked goroutines")
// Round: 13
//
// Bug: Execute expands its parameters, makes errChan without a buffer and
// starts a goroutine that calls makeArchive and sends the result on
// errChan. Execute selects on errChan (retrying once on a known gzip
// error, removing an empty archive) and on ctx.Done(), where it logs that
// the command was told to terminate and returns. A task aborted while the
// archive is being written takes the second case; the goroutine's plain
// send then has no receiver. The agent's communicator, logger and task
// config are reduced to a small Logger interface and a Config struct; the
// PR's other commands with the same pattern are left out, and so is the
// deferred panic report upstream sends on errChan after the result (a
// second send nobody receives in either version), which we drop from both.
// The plain send before the fix is our reading of the PR's description
// and of the select its change put in its place.
//
// Fix (evergreen-ci/evergreen#6212): the goroutine's send is a select on
// errChan and ctx.Done(), so it returns when the command has given up.
package bug

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Logger is the agent's task logger.
type Logger interface {
	Infof(format string, args ...any)
	Warning(msg string)
}

// Config is the task configuration the command needs.
type Config struct {
	TaskID     string
	WorkingDir string
}

// Archiver writes the tarball; it returns the number of files archived.
type Archiver interface {
	MakeArchive(ctx context.Context, target, sourceDir string, include, exclude []string) (int, error)
}

const (
	retryError = "index > windowEnd"
	maxRetries = 1
)

type tarballCreate struct {
	Target       string
	SourceDir    string
	Include      []string
	ExcludeFiles []string
	Attempt      int

	archiver Archiver
}

func (c *tarballCreate) Name() string { return "archive.targz_pack" }

// ParseParams checks the command's parameters.
func (c *tarballCreate) ParseParams() error {
	if c.Target == "" {
		return errors.New("target cannot be blank")
	}
	if c.SourceDir == "" {
		return errors.New("source directory cannot be blank")
	}
	if len(c.Include) == 0 {
		return errors.New("include cannot be empty")
	}
	return nil
}

// Execute builds the archive.
func (c *tarballCreate) Execute(ctx context.Context, logger Logger, conf *Config) error {
	if !filepath.IsAbs(c.SourceDir) {
		c.SourceDir = filepath.Join(conf.WorkingDir, c.SourceDir)
	}
	if !filepath.IsAbs(c.Target) {
		c.Target = filepath.Join(conf.WorkingDir, c.Target)
	}

	errChan := make(chan error)
	filesArchived := -1
	go func() {
		var err error
		filesArchived, err = c.archiver.MakeArchive(ctx, c.Target, c.SourceDir, c.Include, c.ExcludeFiles)
		errChan <- err // heldout:site
	}()

	select {
	case err := <-errChan:
		if err != nil {
			if c.Attempt < maxRetries && strings.Contains(err.Error(), retryError) {
				c.Attempt++
				logger.Infof("Retrying command '%s' due to error: %s.", c.Name(), err.Error())
				return c.Execute(ctx, logger, conf)
			}
			return err
		}
		if filesArchived == 0 {
			logger.Warning("No files were archived.")
			if deleteErr := os.Remove(c.Target); deleteErr != nil {
				logger.Infof("Problem deleting empty archive: %s.", deleteErr.Error())
			}
		}
		return nil
	case <-ctx.Done():
		logger.Infof("%s", fmt.Sprintf("received signal to terminate execution of command '%s' (task %s)", c.Name(), conf.TaskID))
		return nil // heldout:site
	}
}
