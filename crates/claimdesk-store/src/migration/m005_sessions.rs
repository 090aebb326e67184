use sea_orm::ConnectionTrait;
use sea_orm_migration::prelude::*;

/// Server-side sessions (`sessions`, so that a logout, a password reset, a
/// role change or a deactivation ends them) and `users.name_key`, the
/// NFKC-case-folded name logins compare, unique. Written as explicit
/// statements: this migration creates the same schema forever.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("sessions"))
                    .if_not_exists()
                    .col(ColumnDef::new(Alias::new("id_hash")).string().not_null().primary_key())
                    .col(ColumnDef::new(Alias::new("user_id")).big_integer().not_null())
                    .col(ColumnDef::new(Alias::new("created_at")).big_integer().not_null())
                    .col(ColumnDef::new(Alias::new("last_seen_at")).big_integer().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(Index::create().name("sessions_user").table(Alias::new("sessions")).col(Alias::new("user_id")).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter().table(Alias::new("users")).add_column(ColumnDef::new(Alias::new("name_key")).string().null()).to_owned(),
            )
            .await?;
        // Existing users get their key; of names that fold alike (allowed
        // before), the oldest keeps the plain key and the others a key
        // that no typed name folds to, so they log in by their exact name.
        let db = manager.get_connection();
        let select = Query::select()
            .columns([Alias::new("id"), Alias::new("name")])
            .from(Alias::new("users"))
            .order_by(Alias::new("id"), Order::Asc)
            .to_owned();
        let rows = db.query_all(&select).await?;
        let mut taken = std::collections::HashSet::new();
        for row in rows {
            let id: i64 = row.try_get("", "id")?;
            let name: String = row.try_get("", "name")?;
            let mut key = claimdesk_core::input::user_name_key(&name);
            if !taken.insert(key.clone()) {
                key = format!("{key}#{id}");
            }
            let update = Query::update()
                .table(Alias::new("users"))
                .value(Alias::new("name_key"), key)
                .and_where(Expr::col(Alias::new("id")).eq(id))
                .to_owned();
            db.execute(&update).await?;
        }
        manager
            .create_index(
                Index::create().name("users_folded_name").table(Alias::new("users")).col(Alias::new("name_key")).unique().to_owned(),
            )
            .await
    }
}
