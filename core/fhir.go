package core

import (
	"encoding/json"
	"fmt"
	"strings"
)

// FHIR R4 code systems the exported Claim uses.
const (
	fhirClaimType = "http://terminology.hl7.org/CodeSystem/claim-type"
	fhirPriority  = "http://terminology.hl7.org/CodeSystem/processpriority"
	// fhirLocalCodes names the clinic's own fee codes as a code system.
	fhirLocalCodes = "urn:medisecure:fee-code"
)

// fhirCoding is a FHIR Coding; fhirConcept a CodeableConcept.
type fhirCoding struct {
	System  string `json:"system"`
	Code    string `json:"code"`
	Display string `json:"display,omitempty"`
}

type fhirConcept struct {
	Coding []fhirCoding `json:"coding,omitempty"`
	Text   string       `json:"text,omitempty"`
}

// fhirRef is a FHIR Reference.
type fhirRef struct {
	Reference  string          `json:"reference,omitempty"`
	Identifier *fhirIdentifier `json:"identifier,omitempty"`
	Display    string          `json:"display,omitempty"`
}

type fhirIdentifier struct {
	System string `json:"system,omitempty"`
	Value  string `json:"value"`
}

// fhirMoney is a FHIR Money: a decimal value and its currency.
type fhirMoney struct {
	Value    json.Number `json:"value"`
	Currency string      `json:"currency"`
}

type fhirInsurance struct {
	Sequence int     `json:"sequence"`
	Focal    bool    `json:"focal"`
	Coverage fhirRef `json:"coverage"`
}

type fhirQuantity struct {
	Value int `json:"value"`
}

type fhirItem struct {
	Sequence         int          `json:"sequence"`
	ProductOrService fhirConcept  `json:"productOrService"`
	Quantity         fhirQuantity `json:"quantity"`
	UnitPrice        fhirMoney    `json:"unitPrice"`
	Net              fhirMoney    `json:"net"`
}

// fhirClaim is the part of the FHIR R4 Claim resource the clinic fills.
type fhirClaim struct {
	ResourceType string           `json:"resourceType"`
	ID           string           `json:"id"`
	Identifier   []fhirIdentifier `json:"identifier"`
	Status       string           `json:"status"`
	Type         fhirConcept      `json:"type"`
	Use          string           `json:"use"`
	Patient      fhirRef          `json:"patient"`
	Created      string           `json:"created"`
	Insurer      fhirRef          `json:"insurer"`
	Provider     fhirRef          `json:"provider"`
	Priority     fhirConcept      `json:"priority"`
	Insurance    []fhirInsurance  `json:"insurance"`
	Item         []fhirItem       `json:"item"`
	Total        fhirMoney        `json:"total"`
}

// fhirDecimal renders an amount as a FHIR decimal: "45.00".
func fhirDecimal(m Money) fhirMoney {
	v, _, _ := strings.Cut(m.String(), " ")
	return fhirMoney{Value: json.Number(v), Currency: m.Currency}
}

// FHIRClaim renders a claim as a FHIR R4 Claim resource (JSON): the
// invoice's lines as items (net of discount, with tax), the patient, the
// insurer and the member number as the coverage, and the clinic as the
// provider. Text is exported as stored; it was validated when written.
func FHIRClaim(cl *Claim, inv *Invoice, patientName, clinic string) ([]byte, error) {
	if cl.InvoiceID != inv.ID {
		return nil, fmt.Errorf("%w: the claim is for invoice %s, not %s", ErrInvalid, cl.InvoiceID, inv.ID)
	}
	created := cl.SubmittedAt
	if created.IsZero() {
		created = cl.CreatedAt
	}
	r := fhirClaim{
		ResourceType: "Claim", ID: string(cl.ID),
		Identifier: []fhirIdentifier{{System: "urn:medisecure:invoice", Value: inv.Number}},
		Status:     "active",
		Type:       fhirConcept{Coding: []fhirCoding{{System: fhirClaimType, Code: "professional"}}},
		Use:        "claim",
		Patient:    fhirRef{Reference: "Patient/" + string(cl.PatientID), Display: patientName},
		Created:    created.UTC().Format("2006-01-02T15:04:05Z"),
		Insurer:    fhirRef{Display: cl.Insurer},
		Provider:   fhirRef{Display: clinic},
		Priority:   fhirConcept{Coding: []fhirCoding{{System: fhirPriority, Code: "normal"}}},
		Insurance: []fhirInsurance{{Sequence: 1, Focal: true, Coverage: fhirRef{
			Identifier: &fhirIdentifier{System: "urn:medisecure:member-number", Value: cl.PolicyNumber},
			Display:    cl.Insurer + " member " + cl.PolicyNumber}}},
		Total: fhirDecimal(cl.Amount),
	}
	for i, it := range inv.Items {
		code := it.Code
		if code == "" {
			code = "OTHER"
		}
		net := Money{Minor: it.Net() + it.TaxAmount(), Currency: inv.Currency}
		r.Item = append(r.Item, fhirItem{
			Sequence:         i + 1,
			ProductOrService: fhirConcept{Coding: []fhirCoding{{System: fhirLocalCodes, Code: code, Display: it.Description}}, Text: it.Description},
			Quantity:         fhirQuantity{Value: it.Quantity},
			UnitPrice:        fhirDecimal(it.UnitPrice),
			Net:              fhirDecimal(net),
		})
	}
	return json.MarshalIndent(r, "", "  ")
}
