//! Saved views: a user's named queue filters.

use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};

use crate::entity::saved_view;
use crate::{Store, StoreError, now};

/// A user's named queue filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedView {
    pub id: i64,
    pub name: String,
    /// The `/queue` query string, without `?` (checked by the server).
    pub query: String,
}

impl From<saved_view::Model> for SavedView {
    fn from(m: saved_view::Model) -> Self {
        SavedView { id: m.id, name: m.name, query: m.query }
    }
}

impl Store {
    /// User `user_id`'s saved views, by name.
    pub async fn saved_views(&self, user_id: i64) -> Result<Vec<SavedView>, StoreError> {
        let rows = saved_view::Entity::find()
            .filter(saved_view::Column::UserId.eq(user_id))
            .order_by_asc(saved_view::Column::Name)
            .all(&self.read)
            .await?;
        Ok(rows.into_iter().map(SavedView::from).collect())
    }

    /// Saves `query` as user `user_id`'s view `name`, replacing a view of
    /// that name.
    pub async fn save_view(&self, user_id: i64, name: &str, query: &str) -> Result<SavedView, StoreError> {
        let txn = self.begin_write().await?;
        saved_view::Entity::delete_many()
            .filter(saved_view::Column::UserId.eq(user_id))
            .filter(saved_view::Column::Name.eq(name))
            .exec(&txn)
            .await?;
        let row = saved_view::ActiveModel {
            id: Default::default(),
            user_id: Set(user_id),
            name: Set(name.to_owned()),
            query: Set(query.to_owned()),
            created_at: Set(now()),
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
        Ok(row.into())
    }

    /// Deletes user `user_id`'s view `id` (another user's is not found).
    pub async fn delete_view(&self, user_id: i64, id: i64) -> Result<(), StoreError> {
        let done = saved_view::Entity::delete_many()
            .filter(saved_view::Column::Id.eq(id))
            .filter(saved_view::Column::UserId.eq(user_id))
            .exec(&self.write)
            .await?;
        if done.rows_affected == 0 {
            return Err(StoreError::NotFound { what: "saved view", id });
        }
        Ok(())
    }
}
