package core

import (
	"encoding/json"
	"testing"
)

// TestFHIRClaimHasTheRequiredElements checks the elements FHIR R4 requires
// of a Claim (status, type, use, patient, created, provider, priority,
// insurance with sequence, focal and coverage) and the items and total.
func TestFHIRClaimHasTheRequiredElements(t *testing.T) {
	inv := validInvoice(t)
	cl := validClaim(t)
	cl.InvoiceID = inv.ID
	doc, err := FHIRClaim(cl, inv, "Ana Silva", "Test Clinic")
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		ResourceType, Status, Use, Created string
		Type, Priority                     struct {
			Coding []struct{ System, Code string }
		}
		Patient, Provider struct{ Reference, Display string }
		Insurance         []struct {
			Sequence int
			Focal    bool
			Coverage struct{ Display string }
		}
		Item []struct {
			Sequence int
			Net      struct {
				Value    json.Number
				Currency string
			}
		}
		Total struct{ Value json.Number }
	}
	if err := json.Unmarshal(doc, &r); err != nil {
		t.Fatal(err)
	}
	switch {
	case r.ResourceType != "Claim", r.Status != "active", r.Use != "claim", r.Created == "":
		t.Errorf("header: %s", doc)
	case len(r.Type.Coding) != 1 || r.Type.Coding[0].Code != "professional" || len(r.Priority.Coding) != 1:
		t.Errorf("type or priority: %s", doc)
	case r.Patient.Reference != "Patient/"+string(cl.PatientID) || r.Provider.Display != "Test Clinic":
		t.Errorf("patient or provider: %s", doc)
	case len(r.Insurance) != 1 || r.Insurance[0].Sequence != 1 || !r.Insurance[0].Focal || r.Insurance[0].Coverage.Display == "":
		t.Errorf("insurance: %s", doc)
	case len(r.Item) != 2 || r.Item[1].Sequence != 2 || r.Item[0].Net.Value != "60.00" || r.Item[0].Net.Currency != "EUR":
		t.Errorf("items: %s", doc)
	}
	other := *cl
	other.InvoiceID = sampleID(5)
	if _, err := FHIRClaim(&other, inv, "", ""); err == nil {
		t.Error("a claim rendered with another invoice")
	}
}
