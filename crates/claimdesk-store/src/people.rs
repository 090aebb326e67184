//! Users, API tokens and installation settings. Password hashing and token
//! generation happen in the server; this module only stores their results.

use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set};

use claimdesk_core::input::{user_name_key, user_name_skeleton};
use sea_orm::QuerySelect;
use sea_orm::sea_query::ExprTrait;

use crate::entity::{api_token, session, setting, user};
use crate::{Session, Store, StoreError, User, now};
use claimdesk_core::Role;

impl Store {
    /// Adds a user. A name that folds to a taken one (`ADMIN`) or looks
    /// like one (`аdmin` in Cyrillic) is [`StoreError::Duplicate`], naming
    /// the existing user.
    pub async fn add_user(&self, name: &str, password_hash: &str, role: Role) -> Result<User, StoreError> {
        let key = user_name_key(name);
        let skeleton = user_name_skeleton(name);
        let txn = self.begin_write().await?;
        let names: Vec<String> = user::Entity::find().select_only().column(user::Column::Name).into_tuple().all(&txn).await?;
        if let Some(existing) = names.into_iter().find(|n| n == name || user_name_key(n) == key || user_name_skeleton(n) == skeleton) {
            return Err(StoreError::Duplicate { what: "user", name: existing });
        }
        let inserted = user::ActiveModel {
            id: Default::default(),
            name: Set(name.to_owned()),
            password_hash: Set(password_hash.to_owned()),
            role: Set(role.as_str().to_owned()),
            active: Set(true),
            created_at: Set(now()),
            name_key: Set(Some(key)),
        }
        .insert(&txn)
        .await;
        let user = match inserted {
            Ok(user) => user,
            // Another writer took the name in between (PostgreSQL).
            Err(e) if crate::error::is_unique_violation(&e) => return Err(StoreError::Duplicate { what: "user", name: name.to_owned() }),
            Err(e) => return Err(e.into()),
        };
        txn.commit().await?;
        user.try_into()
    }

    /// The user a login names: by exact name, else by folded name
    /// ([`user_name_key`]), so `ADMIN` logs in as `admin`.
    pub async fn user_by_name(&self, name: &str) -> Result<Option<User>, StoreError> {
        if let Some(user) = user::Entity::find().filter(user::Column::Name.eq(name)).one(&self.read).await? {
            return Ok(Some(user.try_into()?));
        }
        user::Entity::find().filter(user::Column::NameKey.eq(user_name_key(name))).one(&self.read).await?.map(User::try_from).transpose()
    }

    pub async fn user(&self, id: i64) -> Result<User, StoreError> {
        user::Entity::find_by_id(id).one(&self.read).await?.ok_or(StoreError::NotFound { what: "user", id })?.try_into()
    }

    pub async fn users(&self) -> Result<Vec<User>, StoreError> {
        crate::rows::all(user::Entity::find().order_by_asc(user::Column::Name).all(&self.read).await?)
    }

    pub async fn user_count(&self) -> Result<u64, StoreError> {
        Ok(user::Entity::find().count(&self.read).await?)
    }

    /// Changes a user's role, whether they may log in, and (when given)
    /// their password hash. A new password, a new role or a deactivation
    /// ends all the user's sessions; a deactivation also revokes their API
    /// tokens (reactivating does not bring them back).
    pub async fn update_user(&self, id: i64, role: Role, active: bool, password_hash: Option<&str>) -> Result<User, StoreError> {
        let txn = self.begin_write().await?;
        let row = user::Entity::find_by_id(id).one(&txn).await?.ok_or(StoreError::NotFound { what: "user", id })?;
        if password_hash.is_some() || row.role != role.as_str() || !active {
            session::Entity::delete_many().filter(session::Column::UserId.eq(id)).exec(&txn).await?;
        }
        if !active {
            api_token::Entity::delete_many().filter(api_token::Column::UserId.eq(id)).exec(&txn).await?;
        }
        let mut active_model: user::ActiveModel = row.into();
        active_model.role = Set(role.as_str().to_owned());
        active_model.active = Set(active);
        if let Some(hash) = password_hash {
            active_model.password_hash = Set(hash.to_owned());
        }
        let updated = active_model.update(&txn).await?;
        txn.commit().await?;
        updated.try_into()
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
        user::Entity::find_by_id(token.user_id).one(&self.read).await?.filter(|u| u.active).map(User::try_from).transpose()
    }

    /// Records a new session of `user_id` under the hash of its id.
    pub async fn add_session(&self, id_hash: &str, user_id: i64) -> Result<(), StoreError> {
        let at = now();
        let txn = self.begin_write().await?;
        session::ActiveModel { id_hash: Set(id_hash.to_owned()), user_id: Set(user_id), created_at: Set(at), last_seen_at: Set(at) }
            .insert(&txn)
            .await?;
        txn.commit().await?;
        Ok(())
    }

    /// The session with this id hash, if it has not been ended.
    pub async fn session(&self, id_hash: &str) -> Result<Option<Session>, StoreError> {
        Ok(session::Entity::find_by_id(id_hash).one(&self.read).await?.map(Session::from))
    }

    /// Notes that the session was used at `at`.
    pub async fn touch_session(&self, id_hash: &str, at: i64) -> Result<(), StoreError> {
        let txn = self.begin_write().await?;
        session::Entity::update_many()
            .col_expr(session::Column::LastSeenAt, sea_orm::sea_query::Expr::value(at))
            .filter(session::Column::IdHash.eq(id_hash))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        Ok(())
    }

    /// Ends one session (a logout).
    pub async fn end_session(&self, id_hash: &str) -> Result<(), StoreError> {
        let txn = self.begin_write().await?;
        session::Entity::delete_by_id(id_hash).exec(&txn).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Deletes sessions idle since before `idle_before` or started before
    /// `started_before`; returns how many.
    pub async fn purge_sessions(&self, idle_before: i64, started_before: i64) -> Result<u64, StoreError> {
        let txn = self.begin_write().await?;
        let done = session::Entity::delete_many()
            .filter(session::Column::LastSeenAt.lt(idle_before).or(session::Column::CreatedAt.lt(started_before)))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        Ok(done.rows_affected)
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
