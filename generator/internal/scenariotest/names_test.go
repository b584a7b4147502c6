package scenariotest

import (
	"context"
	"slices"
	"testing"

	noid "github.com/payforge/wechatpay/generator/testdata/scenarios/no_operation_id/golden"
)

// Operations without an operationId are named after their method and path.
var (
	_ func(context.Context, *noid.GetRootRequest) error                                                      = (*noid.Client)(nil).GetRoot
	_ func(context.Context, *noid.GetV3BilldownloadFileRequest) (*noid.GetV3BilldownloadFileResponse, error) = (*noid.Client)(nil).GetV3BilldownloadFile
	_ func(context.Context, *noid.GetV3PetsByPetIDRequest) (*noid.GetV3PetsByPetIDResponse, error)           = (*noid.Client)(nil).GetV3PetsByPetID
	_ func(context.Context, *noid.DeleteV3PetsByPetIDRequest) error                                          = (*noid.Client)(nil).DeleteV3PetsByPetID
)

func TestScenarioDerivedNames(t *testing.T) {
	var ids, names []string
	for _, op := range noid.Operations {
		ids = append(ids, op.ID)
		names = append(names, op.Name)
	}
	if want := []string{"getRoot", "getV3BilldownloadFile", "getV3PetsByPetId", "deleteV3PetsByPetId"}; !slices.Equal(ids, want) {
		t.Fatalf("IDs %v, want %v", ids, want)
	}
	if want := []string{"get-root", "get-v3-billdownload-file", "get-v3-pets-by-pet-id", "delete-v3-pets-by-pet-id"}; !slices.Equal(names, want) {
		t.Fatalf("names %v, want %v", names, want)
	}
	s := newStandIn(t, jsonAnswer(`{"size":12}`))
	resp, err := noid.NewClient(s.client()).GetV3BilldownloadFile(context.Background(), &noid.GetV3BilldownloadFileRequest{Token: "t1"})
	if err != nil || resp.Size != 12 {
		t.Fatalf("%+v, %v", resp, err)
	}
	if got := s.last().RequestURI; got != "/v3/billdownload/file?token=t1" {
		t.Fatalf("target %s", got)
	}
}
