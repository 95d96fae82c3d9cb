package http

import (
	nethttp "net/http"
	"strconv"

	"minimall"
	"minimall/catalog"
)

func (s *Server) registerCatalogRoutes() {
	// Everyone, signed in or not, browses (policy 二(一)1: without an
	// account one can still browse and search).
	s.handleFunc("GET /api/v1/categories", s.handleCategories)
	s.handleFunc("GET /api/v1/categories/{id}/items", s.handleCategoryItems)
	s.handleFunc("GET /api/v1/items/{id}", s.handleItem)
	s.handleFunc("GET /api/v1/shops/{id}", s.handleShop)
	s.handleFunc("GET /api/v1/channels", s.handleChannels)
	s.handleFunc("GET /api/v1/channels/{id}", s.handleChannel)
	// Sellers write their shops' items; ops operators may too (take-downs).
	s.handleFunc("POST /api/v1/shops", s.handleShopCreate)
	s.handleFunc("POST /api/v1/shops/{id}/items", s.handleItemCreate)
	s.handleFunc("PATCH /api/v1/items/{id}", s.handleItemUpdate)
	s.handleFunc("DELETE /api/v1/items/{id}", s.handleItemDelete)
	// Ops operators keep the category tree and the channels.
	s.handleFunc("POST /api/v1/categories", s.handleCategoryCreate)
	s.handleFunc("POST /api/v1/channels", s.handleChannelCreate)
}

// pageParam reads ?page=, 1 when absent.
func pageParam(r *nethttp.Request) (int, error) {
	v := r.URL.Query().Get("page")
	if v == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, minimall.Errorf(minimall.Invalid, "http.page", "page must be a whole number. 页码须为整数。")
	}
	return n, nil
}

// handleCategories handles "GET /api/v1/categories".
func (s *Server) handleCategories(w nethttp.ResponseWriter, r *nethttp.Request) {
	tree, err := s.Catalog.Categories(r.Context())
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, map[string]any{"categories": tree})
}

// handleCategoryItems handles "GET /api/v1/categories/{id}/items": a page
// of 20 items, newest first.
func (s *Server) handleCategoryItems(w nethttp.ResponseWriter, r *nethttp.Request) {
	page, err := pageParam(r)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	p, err := s.Catalog.CategoryPage(r.Context(), r.PathValue("id"), page)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, p)
}

// handleItem handles "GET /api/v1/items/{id}".
func (s *Server) handleItem(w nethttp.ResponseWriter, r *nethttp.Request) {
	it, err := s.Catalog.Item(r.Context(), r.PathValue("id"))
	if err != nil {
		s.problem(w, r, err)
		return
	}
	// A signed-in view leaves a footprint (二(二)1 浏览记录), listable and
	// deletable under "my footprints". The page is served even if the
	// footprint is refused (a collection stop, a held minor's account).
	if a := minimall.ActorFromContext(r.Context()); a.Kind == minimall.Shopper && s.Engage != nil {
		if err := s.Engage.RecordView(r.Context(), a.Subject, it.ID); err != nil {
			s.Logger.Debug("footprint not recorded", "request_id", requestIDFrom(r.Context()), "code", minimall.ErrorCode(err).String())
		}
	}
	writeJSON(w, nethttp.StatusOK, it)
}

type shopPage struct {
	*catalog.Shop
	Items    []*catalog.Item `json:"items"`
	Page     int             `json:"page"`
	NextPage int             `json:"next_page"`
}

// handleShop handles "GET /api/v1/shops/{id}": the shop and a page of its items.
func (s *Server) handleShop(w nethttp.ResponseWriter, r *nethttp.Request) {
	page, err := pageParam(r)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	sh, p, err := s.Catalog.ShopPage(r.Context(), r.PathValue("id"), page)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, shopPage{Shop: sh, Items: p.Items, Page: p.Page, NextPage: p.NextPage})
}

// handleChannels handles "GET /api/v1/channels".
func (s *Server) handleChannels(w nethttp.ResponseWriter, r *nethttp.Request) {
	list, err := s.Catalog.Channels(r.Context())
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, map[string]any{"channels": list})
}

// handleChannel handles "GET /api/v1/channels/{id}".
func (s *Server) handleChannel(w nethttp.ResponseWriter, r *nethttp.Request) {
	c, items, err := s.Catalog.Channel(r.Context(), r.PathValue("id"))
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, map[string]any{"id": c.ID, "name": c.Name, "description": c.Description, "created_at": c.CreatedAt, "items": items})
}

type shopCreateRequest struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

// handleShopCreate handles "POST /api/v1/shops": the signed-in seller opens a shop.
func (s *Server) handleShopCreate(w nethttp.ResponseWriter, r *nethttp.Request) {
	var req shopCreateRequest
	if err := decodeJSON(r, &req); err != nil {
		s.problem(w, r, err)
		return
	}
	sh, err := s.Catalog.CreateShop(r.Context(), minimall.ActorFromContext(r.Context()), req.Name, req.Description)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusCreated, sh)
}

// handleItemCreate handles "POST /api/v1/shops/{id}/items".
func (s *Server) handleItemCreate(w nethttp.ResponseWriter, r *nethttp.Request) {
	var req catalog.NewItem
	if err := decodeJSON(r, &req); err != nil {
		s.problem(w, r, err)
		return
	}
	it, err := s.Catalog.CreateItem(r.Context(), minimall.ActorFromContext(r.Context()), r.PathValue("id"), req)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusCreated, it)
}

// handleItemUpdate handles "PATCH /api/v1/items/{id}".
func (s *Server) handleItemUpdate(w nethttp.ResponseWriter, r *nethttp.Request) {
	var req catalog.ItemUpdate
	if err := decodeJSON(r, &req); err != nil {
		s.problem(w, r, err)
		return
	}
	it, err := s.Catalog.UpdateItem(r.Context(), minimall.ActorFromContext(r.Context()), r.PathValue("id"), req)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, it)
}

// handleItemDelete handles "DELETE /api/v1/items/{id}".
func (s *Server) handleItemDelete(w nethttp.ResponseWriter, r *nethttp.Request) {
	if err := s.Catalog.DeleteItem(r.Context(), minimall.ActorFromContext(r.Context()), r.PathValue("id")); err != nil {
		s.problem(w, r, err)
		return
	}
	w.WriteHeader(nethttp.StatusNoContent)
}

// handleCategoryCreate handles "POST /api/v1/categories" (ops operators).
func (s *Server) handleCategoryCreate(w nethttp.ResponseWriter, r *nethttp.Request) {
	var req catalog.Category
	if err := decodeJSON(r, &req); err != nil {
		s.problem(w, r, err)
		return
	}
	req.Children = nil
	c, err := s.Catalog.CreateCategory(r.Context(), minimall.ActorFromContext(r.Context()), req)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusCreated, c)
}

// handleChannelCreate handles "POST /api/v1/channels" (ops operators).
func (s *Server) handleChannelCreate(w nethttp.ResponseWriter, r *nethttp.Request) {
	var req catalog.Channel
	if err := decodeJSON(r, &req); err != nil {
		s.problem(w, r, err)
		return
	}
	c, err := s.Catalog.CreateChannel(r.Context(), minimall.ActorFromContext(r.Context()), req)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusCreated, c)
}
