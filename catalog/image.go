package catalog

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
	_ "image/png" // sellers upload PNG as well as JPEG

	"minimall"
	"minimall/sqldb"
)

// Limits of an uploaded picture.
const (
	MaxImageBytes = 5 << 20 // as uploaded
	MaxImageSide  = 4000    // pixels, either side
	imageQuality  = 85
	imageMIME     = "image/jpeg"
	maxItemImages = 1 // the item's main picture; more come with the gallery
)

// Image is a stored picture of an item.
type Image struct {
	Data          []byte
	ContentType   string
	Width, Height int
}

// SetImage makes data, a JPEG or PNG picture, the item's picture. The
// picture is decoded and written anew as JPEG, so nothing of the uploaded
// file but its pixels is kept: no EXIF, no location, no camera. Returns
// Denied for anyone but the shop's seller or an ops operator, Invalid for
// something that is not a picture or is too large.
func (s *Service) SetImage(ctx context.Context, a minimall.Actor, item string, data []byte) (*Image, error) {
	const op = "catalog.SetImage"
	it, err := s.Item(ctx, item)
	if err != nil {
		return nil, err
	}
	sh, err := s.Shop(ctx, it.Shop)
	if err != nil {
		return nil, err
	}
	if err := mayEdit(a, sh); err != nil {
		return nil, err
	}
	img, err := reencode(op, data)
	if err != nil {
		return nil, err
	}
	err = s.write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO item_images (item, position, content_type, data, width, height, created_at) VALUES (?, 0, ?, ?, ?, ?, ?)
			ON CONFLICT (item, position) DO UPDATE SET content_type = excluded.content_type, data = excluded.data,
			width = excluded.width, height = excluded.height, created_at = excluded.created_at`,
			item, img.ContentType, img.Data, img.Width, img.Height, sqldb.Micros(tx.Now()))
		return sqldb.FormatError(op, err)
	})
	return img, err
}

// reencode decodes an uploaded picture and writes its pixels anew.
func reencode(op string, data []byte) (*Image, error) {
	if len(data) == 0 || len(data) > MaxImageBytes {
		return nil, minimall.Errorf(minimall.Invalid, op, "A picture is a JPEG or PNG file of at most 5 MB. 图片须为不超过5MB的JPEG或PNG文件。")
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, minimall.Errorf(minimall.Invalid, op, "This is not a JPEG or PNG picture. 这不是JPEG或PNG图片。")
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > MaxImageSide || cfg.Height > MaxImageSide {
		return nil, minimall.Errorf(minimall.Invalid, op, "A picture is at most 4000 pixels a side. 图片每边不超过4000像素。")
	}
	decoded, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, minimall.Errorf(minimall.Invalid, op, "This picture could not be read. 图片无法读取。")
	}
	var out bytes.Buffer
	if err := jpeg.Encode(&out, decoded, &jpeg.Options{Quality: imageQuality}); err != nil {
		return nil, err
	}
	b := decoded.Bounds()
	return &Image{Data: out.Bytes(), ContentType: imageMIME, Width: b.Dx(), Height: b.Dy()}, nil
}

// ItemImage returns the item's stored picture, or nil if it has none,
// through the cache (a page of items asks for twenty at once).
func (s *Service) ItemImage(ctx context.Context, item string) (*Image, error) {
	const op = "catalog.ItemImage"
	if img, ok := lookup[*Image](s.cache, &s.cache.images, item); ok {
		return img, nil
	}
	gen := s.cache.gen.Load()
	img := &Image{}
	err := s.db.QueryRowContext(ctx, `SELECT content_type, data, width, height FROM item_images WHERE item = ? AND position = 0`, item).
		Scan(&img.ContentType, &img.Data, &img.Width, &img.Height)
	if err = sqldb.FormatError(op, err); minimall.IsCode(err, minimall.NotFound) {
		img, err = nil, nil
	}
	if err != nil {
		return nil, err
	}
	store(s.cache, &s.cache.images, item, img, gen)
	return img, nil
}
