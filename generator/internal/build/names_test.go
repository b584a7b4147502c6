package build

import "testing"

func TestDerivedOperationID(t *testing.T) {
	for _, c := range []struct{ method, path, want string }{
		{"GET", "/v3/billdownload/file", "getV3BilldownloadFile"},
		{"GET", "/pets/{pet_id}", "getPetsByPetId"},
		{"DELETE", "/v3/pets/{petId}/photos/{photo-id}", "deleteV3PetsByPetIdPhotosByPhotoId"},
		{"POST", "/v3/transactions/{id}:close", "postV3TransactionsByIdClose"},
		{"GET", "/", "getRoot"},
		{"PUT", "/users/{name}.json", "putUsersByNameJson"},
	} {
		if got := DerivedOperationID(c.method, c.path); got != c.want {
			t.Errorf("DerivedOperationID(%s, %s) = %s, want %s", c.method, c.path, got, c.want)
		}
	}
}
