// Package golangci is asyncgo's golangci-lint module plugin: it registers a
// linter named asyncgo that runs every analyzer of asyncgo's suite
// (analyzer/suite) inside a custom golangci-lint.
//
// Build the custom binary with `golangci-lint custom` and a .custom-gcl.yml
// naming this package, then enable the linter in .golangci.yml:
//
//	version: "2"
//	linters:
//	  enable:
//	    - asyncgo
//	  settings:
//	    custom:
//	      asyncgo:
//	        type: module
//	        description: asyncgo's checks of async code
//	        settings:
//	          disable: [deadlockleak] # optional; or enable: [...] to run only some
//
// docs/golangci.md has the whole set-up.
package golangci

import (
	"fmt"
	"slices"
	"strings"

	"github.com/golangci/plugin-module-register/register"
	"golang.org/x/tools/go/analysis"

	"github.com/asyncgo/asyncgo/analyzer/suite"
)

// Name is the linter's name in .golangci.yml.
const Name = "asyncgo"

func init() { register.Plugin(Name, New) }

// Settings are the linter's settings (linters.settings.custom.asyncgo.settings).
type Settings struct {
	// Enable, if not empty, names the only analyzers to run.
	Enable []string `json:"enable"`
	// Disable names analyzers not to run.
	Disable []string `json:"disable"`
}

// Plugin is the asyncgo linter, with its settings.
type Plugin struct {
	analyzers []*analysis.Analyzer
}

// New makes the linter from its settings as golangci-lint passes them;
// an unknown setting or analyzer name is an error.
func New(settings any) (register.LinterPlugin, error) {
	s, err := register.DecodeSettings[Settings](settings)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", Name, err)
	}
	all := suite.Analyzers()
	var names []string
	for _, a := range all {
		names = append(names, a.Name)
	}
	for _, n := range slices.Concat(s.Enable, s.Disable) {
		if !slices.Contains(names, n) {
			return nil, fmt.Errorf("%s: unknown analyzer %q (the analyzers are %s)", Name, n, strings.Join(names, ", "))
		}
	}
	var chosen []*analysis.Analyzer
	for _, a := range all {
		if (len(s.Enable) == 0 || slices.Contains(s.Enable, a.Name)) && !slices.Contains(s.Disable, a.Name) {
			chosen = append(chosen, a)
		}
	}
	return &Plugin{analyzers: chosen}, nil
}

// BuildAnalyzers returns the analyzers to run.
func (p *Plugin) BuildAnalyzers() ([]*analysis.Analyzer, error) { return p.analyzers, nil }

// GetLoadMode says the analyzers need type information.
func (p *Plugin) GetLoadMode() string { return register.LoadModeTypesInfo }
