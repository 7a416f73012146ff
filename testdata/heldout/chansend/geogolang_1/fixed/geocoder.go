// Package fixed is the fixed version of chansend/geogolang_1: the result
// channel has room for the one late result.
package fixed

import (
	"errors"
	"time"
)

// ErrTimeout occurs when no response returned within the timeout.
var ErrTimeout = errors.New("TIMEOUT")

var timeout = 8 * time.Second

// Location is a latitude and longitude.
type Location struct{ Lat, Lng float64 }

// EndpointBuilder builds the provider's URLs.
type EndpointBuilder interface {
	GeocodeURL(address string) string
	ReverseGeocodeURL(l Location) string
}

// ResponseParser reads one provider response.
type ResponseParser interface {
	Location() Location
	Address() string
}

// ResponseParserFactory makes a parser per request.
type ResponseParserFactory func() ResponseParser

// Fetcher performs the HTTP request and decodes its body into the parser.
type Fetcher interface {
	Fetch(url string, into ResponseParser) error
}

// HTTPGeocoder has EndpointBuilder and ResponseParser.
type HTTPGeocoder struct {
	EndpointBuilder
	ResponseParserFactory
	Fetcher
}

type geoResp struct {
	l Location
	e error
}

// Geocode returns the location of address.
func (g HTTPGeocoder) Geocode(address string) (Location, error) {
	ch := make(chan geoResp, 1)
	go func() {
		parser := g.ResponseParserFactory()
		err := g.Fetch(g.GeocodeURL(address), parser)
		ch <- geoResp{l: parser.Location(), e: err}
	}()

	select {
	case res := <-ch:
		return res.l, res.e
	case <-time.After(timeout):
		return Location{}, ErrTimeout
	}
}

type revResp struct {
	a string
	e error
}

// ReverseGeocode returns the address of a location.
func (g HTTPGeocoder) ReverseGeocode(lat, lng float64) (string, error) {
	ch := make(chan revResp, 1)
	go func() {
		parser := g.ResponseParserFactory()
		err := g.Fetch(g.ReverseGeocodeURL(Location{lat, lng}), parser)
		ch <- revResp{a: parser.Address(), e: err}
	}()

	select {
	case res := <-ch:
		return res.a, res.e
	case <-time.After(timeout):
		return "", ErrTimeout
	}
}
