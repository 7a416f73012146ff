// Package fixed is the fixed version of lockheld/cozystack_1457: Execute
// releases the lock on every return.
package fixed

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
	m.mu.Lock()
	defer m.mu.Unlock()
	tpl, ok := m.templates[name]
	if !ok {
		return "", nil, fmt.Errorf("could not find email named %q", name)
	}
	subject, ok := m.translate(locale, tpl.subjectKey)
	if !ok {
		return "", nil, fmt.Errorf("no translation for the subject of %q in %s", name, locale)
	}
	var buf bytes.Buffer
	if err := tpl.text.Execute(&buf, data); err != nil {
		return "", nil, err
	}
	return subject, []*Part{{Type: "text/plain", Body: buf.String()}}, nil
}
