// Package bug is a held-out kernel (issue 14): a mail templater whose
// error returns for a missing template or translation leave its lock held.
//
// Upstream: linagora/cozy-stack#1457 ("Fix a possible deadlock")
// Round: 3
//
// Bug: rendering a mail takes the templater's lock (the templates and the
// translation state are shared) and, between Lock and Unlock, returns an
// error when the template or a translation for the mail is missing. The
// lock stays held, and every later mail job blocks in Execute. The PR
// text gives the returns between Lock and Unlock; the templater's fields
// and helpers are our reduction.
//
// Fix: the lock is released on every return (a deferred Unlock).
package bug

import (
	"bytes"
	"fmt"
	"sync"
	"text/template"
)

// Part is one MIME part of a mail.
type Part struct {
	Type string
	Body string
}

type mailTemplate struct {
	subjectKey string
	text       *template.Template
}

type mailTemplater struct {
	mu           sync.Mutex
	templates    map[string]*mailTemplate
	translations map[string]map[string]string // locale -> key -> text
}

func (m *mailTemplater) translate(locale, key string) (string, bool) {
	if t, ok := m.translations[locale][key]; ok {
		return t, true
	}
	t, ok := m.translations["en"][key]
	return t, ok
}

// Execute renders the named mail for the locale.
func (m *mailTemplater) Execute(name, locale string, data any) (string, []*Part, error) {
	m.mu.Lock() // heldout:site
	tpl, ok := m.templates[name]
	if !ok {
		return "", nil, fmt.Errorf("could not find email named %q", name) // heldout:site
	}
	subject, ok := m.translate(locale, tpl.subjectKey)
	if !ok {
		return "", nil, fmt.Errorf("no translation for the subject of %q in %s", name, locale) // heldout:site
	}
	var buf bytes.Buffer
	if err := tpl.text.Execute(&buf, data); err != nil {
		m.mu.Unlock()
		return "", nil, err
	}
	m.mu.Unlock()
	return subject, []*Part{{Type: "text/plain", Body: buf.String()}}, nil
}
