package cometchat

import "github.com/chatimport/chatimport/internal/wirejson"

// AppendGroup appends g's JSON to dst, leaving out what is not set; prefix
// names its place in errors ("" or "groupDetails.").
func AppendGroup(dst []byte, g *Group, prefix string) ([]byte, error) {
	o := wirejson.Begin(dst)
	o.Required("guid", g.GUID)
	o.Required("name", g.Name)
	o.String("icon", g.Icon)
	o.String("description", g.Description)
	o.Required("type", g.Type)
	o.String("password", g.Password)
	o.String("owner", g.Owner)
	o.Int("createdAt", g.CreatedAt)
	if err := appendMetadata(&o, g.Metadata, prefix); err != nil {
		return dst, err
	}
	o.Strings("tags", g.Tags)
	if u := g.OwnerDetails; u != nil {
		o.Key("groupOwnerDetails")
		var err error
		if o.Buf, err = AppendUser(o.Buf, u, prefix+"groupOwnerDetails."); err != nil {
			return dst, err
		}
	}
	return o.End(), nil
}
