//! The embedded store: a layer's features in memory, indexed by an R-tree over their
//! Web Mercator bounds, with geometry prepared per zoom for tiling.

use super::{
    encode_feature, field_types, point_pyramid, prepare_shapes, LayerInfo, LayerSource, SourceError,
};
use crate::layers::LayerDef;
use crate::ogc::{sort_features, ItemsPage, ItemsQuery};

use geo::{Intersects, Rect};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, AABB};
use tidewatch_importers::Feature;
use tidewatch_tiles::{
    lonlat_to_world, GeometryKind, LayerEncoder, PointPyramid, PropertyValue, Shape, TileBytes,
    TileId, ZoomShapes, BUFFER,
};

/// R-tree entry: the bounds of one part of one feature, with (feature index, part index).
type IndexEntry = GeomWithData<Rectangle<[f64; 2]>, (u32, u32)>;

pub struct EmbeddedLayer {
    info: LayerInfo,
    /// Properties that go into tiles (`None`: all).
    tile_properties: Option<Vec<String>>,
    features: Vec<Feature>,
    shapes: Vec<ZoomShapes>,
    index: RTree<IndexEntry>,
    pyramid: Option<PointPyramid>,
}

impl EmbeddedLayer {
    /// Reads the layer's file and prepares it; any bad feature fails the whole layer.
    pub fn load(def: &LayerDef) -> anyhow::Result<Self> {
        let features = tidewatch_importers::read_file(&def.file)?;
        Self::from_features(def, features)
    }

    pub fn from_features(def: &LayerDef, features: Vec<Feature>) -> anyhow::Result<Self> {
        let shapes: Vec<ZoomShapes> = prepare_shapes(def.geometry, &features)
            .map_err(|e| anyhow::anyhow!("layer {}: {e}", def.id))?
            .into_iter()
            .map(|shape| ZoomShapes::build(shape, def.minzoom, def.maxzoom, |z| def.simplify_at(z)))
            .collect();
        let index = RTree::bulk_load(
            shapes
                .iter()
                .enumerate()
                .flat_map(|(i, s)| {
                    let full = s.full();
                    (0..full.part_count()).map(move |p| {
                        let [x0, y0, x1, y1] = full.part_bounds(p);
                        let rect = Rectangle::from_corners([x0, y0], [x1, y1]);
                        GeomWithData::new(rect, (i as u32, p as u32))
                    })
                })
                .collect(),
        );
        let pyramid = (def.geometry == GeometryKind::Point).then(|| {
            point_pyramid(
                shapes.iter().map(ZoomShapes::full),
                def.maxzoom,
                def.max_points_per_tile,
            )
        });
        let thinned_up_to_zoom = pyramid
            .as_ref()
            .and_then(PointPyramid::deepest_thinned_zoom);
        let info = LayerInfo::of(
            def,
            Some(features.len()),
            lonlat_bounds(&index),
            field_types(
                &features,
                def.properties.as_deref(),
                thinned_up_to_zoom.is_some(),
            ),
            thinned_up_to_zoom,
        );
        Ok(EmbeddedLayer {
            info,
            tile_properties: def.properties.clone(),
            features,
            shapes,
            index,
            pyramid,
        })
    }

    /// Encodes this layer of `tile` (synchronously; it is CPU work of well under a millisecond
    /// for ordinary tiles).
    pub fn encode_tile(&self, tile: TileId) -> TileBytes {
        let mut enc = LayerEncoder::new(&self.info.id, tile);
        if let Some(clusters) = self.pyramid.as_ref().and_then(|p| p.clusters(tile, BUFFER)) {
            for c in clusters {
                if c.count == 1 {
                    self.add_feature(&mut enc, c.first as usize, tile.z, None);
                } else {
                    enc.add(
                        None,
                        &Shape::Points(vec![c.world]),
                        [("point_count", PropertyValue::Uint(c.count.into()))],
                    );
                }
            }
            return enc.finish();
        }
        let [x0, y0, x1, y1] = tile.world_bounds(BUFFER);
        let mut hits: Vec<(u32, u32)> = self
            .index
            .locate_in_envelope_intersecting(&AABB::from_corners([x0, y0], [x1, y1]))
            .map(|e| e.data)
            .collect();
        // File order, whatever the tree's layout, so equal data gives equal tiles.
        hits.sort_unstable();
        let mut parts = Vec::new();
        for group in hits.chunk_by(|a, b| a.0 == b.0) {
            let i = group[0].0 as usize;
            let shape = self.shapes[i].at(tile.z);
            // Only the parts near this tile: one island, not the whole county.
            let selected = if group.len() == shape.part_count() {
                None
            } else {
                parts.clear();
                parts.extend(group.iter().map(|&(_, p)| p));
                Some(parts.as_slice())
            };
            self.add_feature(&mut enc, i, tile.z, selected);
        }
        enc.finish()
    }

    fn add_feature(&self, enc: &mut LayerEncoder, i: usize, z: u8, parts: Option<&[u32]>) {
        let f = &self.features[i];
        let keys = self.tile_properties.as_deref();
        encode_feature(enc, f.id, self.shapes[i].at(z), parts, &f.properties, keys);
    }

    /// Features whose geometry intersects a lon/lat box.
    pub fn features_intersecting(&self, bbox: [f64; 4], limit: usize) -> Vec<Feature> {
        self.indexes_intersecting(bbox)
            .into_iter()
            .take(limit)
            .map(|i| self.features[i].clone())
            .collect()
    }

    /// Indexes of the features whose geometry intersects a lon/lat box, in file order.
    fn indexes_intersecting(&self, bbox: [f64; 4]) -> Vec<usize> {
        let [w, s, e, n] = bbox;
        let (x0, y1) = lonlat_to_world(w, s);
        let (x1, y0) = lonlat_to_world(e, n);
        let rect = Rect::new((w, s), (e, n));
        let mut hits: Vec<u32> = self
            .index
            .locate_in_envelope_intersecting(&AABB::from_corners([x0, y0], [x1, y1]))
            .map(|e| e.data.0)
            .collect();
        hits.sort_unstable();
        hits.dedup();
        hits.into_iter()
            .map(|i| i as usize)
            .filter(|&i| self.features[i].geometry.intersects(&rect))
            .collect()
    }

    /// One page of an items query, from memory.
    pub fn items_page(&self, query: &ItemsQuery) -> ItemsPage {
        let mut matched: Vec<&Feature> = match query.bbox {
            Some(bbox) => self
                .indexes_intersecting(bbox)
                .into_iter()
                .map(|i| &self.features[i])
                .collect(),
            None => self.features.iter().collect(),
        };
        if let Some(filter) = &query.filter {
            matched.retain(|f| filter.expr.matches(&f.properties, &f.geometry));
        }
        if let Some(range) = &query.datetime {
            match &self.info.time_property {
                Some(p) => matched.retain(|f| range.matches(f.properties.get(p))),
                // No time on this layer: nothing matches (see ogc::datetime).
                None => matched.clear(),
            }
        }
        sort_features(&mut matched, &query.sortby);
        ItemsPage {
            number_matched: matched.len(),
            features: matched
                .into_iter()
                .skip(query.offset)
                .take(query.limit)
                .cloned()
                .collect(),
        }
    }

    /// The prepared shape of feature index `i` at zoom `z` (for tests and analyses).
    pub fn shape_at(&self, i: usize, z: u8) -> &Shape {
        self.shapes[i].at(z)
    }

    pub fn features(&self) -> &[Feature] {
        &self.features
    }
}

#[async_trait::async_trait]
impl LayerSource for EmbeddedLayer {
    fn info(&self) -> &LayerInfo {
        &self.info
    }

    async fn tile(&self, tile: TileId) -> Result<TileBytes, SourceError> {
        Ok(self.encode_tile(tile))
    }

    async fn features_in(&self, bbox: [f64; 4], limit: usize) -> Result<Vec<Feature>, SourceError> {
        Ok(self.features_intersecting(bbox, limit))
    }

    async fn items(&self, query: &ItemsQuery) -> Result<ItemsPage, SourceError> {
        Ok(self.items_page(query))
    }

    async fn feature(&self, id: u64) -> Result<Option<Feature>, SourceError> {
        Ok(self.features.iter().find(|f| f.id == id).cloned())
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

fn lonlat_bounds(index: &RTree<IndexEntry>) -> [f64; 4] {
    if index.size() == 0 {
        return [-180.0, -85.0511, 180.0, 85.0511];
    }
    let env = index.root().envelope();
    let (w, n) = tidewatch_tiles::world_to_lonlat(env.lower()[0], env.lower()[1]);
    let (e, s) = tidewatch_tiles::world_to_lonlat(env.upper()[0], env.upper()[1]);
    [w, s, e, n]
}
