//! Users, API tokens and installation settings. Password hashing and token
//! generation happen in the server; this module only stores their results.

use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set};

use crate::entity::{api_token, setting, user};
use crate::{Store, StoreError, now};

pub type User = user::Model;

impl Store {
    /// Adds a user; a taken name is [`StoreError::Duplicate`].
    pub async fn add_user(&self, name: &str, password_hash: &str, role: &str) -> Result<User, StoreError> {
        let txn = self.begin_write().await?;
        if user::Entity::find().filter(user::Column::Name.eq(name)).one(&txn).await?.is_some() {
            return Err(StoreError::Duplicate { what: "user", name: name.to_owned() });
        }
        let user = user::ActiveModel {
            id: Default::default(),
            name: Set(name.to_owned()),
            password_hash: Set(password_hash.to_owned()),
            role: Set(role.to_owned()),
            active: Set(true),
            created_at: Set(now()),
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
        Ok(user)
    }

    pub async fn user_by_name(&self, name: &str) -> Result<Option<User>, StoreError> {
        Ok(user::Entity::find().filter(user::Column::Name.eq(name)).one(&self.read).await?)
    }

    pub async fn user(&self, id: i64) -> Result<User, StoreError> {
        user::Entity::find_by_id(id).one(&self.read).await?.ok_or(StoreError::NotFound { what: "user", id })
    }

    pub async fn users(&self) -> Result<Vec<User>, StoreError> {
        Ok(user::Entity::find().order_by_asc(user::Column::Name).all(&self.read).await?)
    }

    pub async fn user_count(&self) -> Result<u64, StoreError> {
        Ok(user::Entity::find().count(&self.read).await?)
    }

    /// Changes a user's role, whether they may log in, and (when given)
    /// their password hash.
    pub async fn update_user(&self, id: i64, role: &str, active: bool, password_hash: Option<&str>) -> Result<User, StoreError> {
        let txn = self.begin_write().await?;
        let row = user::Entity::find_by_id(id).one(&txn).await?.ok_or(StoreError::NotFound { what: "user", id })?;
        let mut active_model: user::ActiveModel = row.into();
        active_model.role = Set(role.to_owned());
        active_model.active = Set(active);
        if let Some(hash) = password_hash {
            active_model.password_hash = Set(hash.to_owned());
        }
        let updated = active_model.update(&txn).await?;
        txn.commit().await?;
        Ok(updated)
    }

    /// Stores the hash of a new API token for `user_id`.
    pub async fn add_api_token(&self, user_id: i64, token_hash: &str) -> Result<(), StoreError> {
        let txn = self.begin_write().await?;
        api_token::ActiveModel {
            id: Default::default(),
            user_id: Set(user_id),
            token_hash: Set(token_hash.to_owned()),
            created_at: Set(now()),
            last_used_at: Set(None),
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// The active user owning the token with this hash.
    pub async fn user_by_token_hash(&self, token_hash: &str) -> Result<Option<User>, StoreError> {
        let Some(token) = api_token::Entity::find().filter(api_token::Column::TokenHash.eq(token_hash)).one(&self.read).await? else {
            return Ok(None);
        };
        Ok(user::Entity::find_by_id(token.user_id).one(&self.read).await?.filter(|u| u.active))
    }

    pub async fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(setting::Entity::find_by_id(key).one(&self.read).await?.map(|s| s.value))
    }

    /// The value of `key`, first storing `make()` if none is set. Several
    /// server nodes starting at once all end up with the first value stored.
    pub async fn setting_or_insert(&self, key: &str, make: impl FnOnce() -> String) -> Result<String, StoreError> {
        if let Some(value) = self.setting(key).await? {
            return Ok(value);
        }
        let txn = self.begin_write().await?;
        setting::Entity::insert(setting::ActiveModel { key: Set(key.to_owned()), value: Set(make()) })
            .on_conflict(OnConflict::column(setting::Column::Key).do_nothing().to_owned())
            .exec_without_returning(&txn)
            .await?;
        let value = setting::Entity::find_by_id(key).one(&txn).await?.map(|s| s.value).unwrap_or_default();
        txn.commit().await?;
        Ok(value)
    }

    pub async fn set_setting(&self, key: &str, value: &str) -> Result<(), StoreError> {
        let txn = self.begin_write().await?;
        setting::Entity::insert(setting::ActiveModel { key: Set(key.to_owned()), value: Set(value.to_owned()) })
            .on_conflict(OnConflict::column(setting::Column::Key).update_column(setting::Column::Value).to_owned())
            .exec_without_returning(&txn)
            .await?;
        txn.commit().await?;
        Ok(())
    }
}
