//! The jobs table: work queued by the server, taken by workers. On
//! PostgreSQL several worker processes share it through `FOR UPDATE SKIP
//! LOCKED`; on SQLite the immediate write transaction serialises takers.

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set, Statement};

use crate::entity::job;
use crate::{Backend, Job, JobStatus, Store, StoreError, now};

impl Store {
    /// Queues a job; returns its id.
    pub async fn enqueue_job(&self, kind: &str, payload: &serde_json::Value) -> Result<i64, StoreError> {
        let job = job::ActiveModel {
            id: Default::default(),
            kind: Set(kind.to_owned()),
            payload: Set(payload.to_string()),
            status: Set(JobStatus::Queued.as_str().to_owned()),
            attempts: Set(0),
            error: Set(None),
            result: Set(None),
            worker: Set(None),
            created_at: Set(now()),
            started_at: Set(None),
            finished_at: Set(None),
        }
        .insert(&self.write)
        .await?;
        Ok(job.id)
    }

    /// Takes the oldest queued job for `worker`, marking it running.
    pub async fn take_job(&self, worker: &str) -> Result<Option<Job>, StoreError> {
        let at = now();
        let txn = self.begin_write().await?;
        let id: Option<i64> = match self.backend() {
            Backend::Postgres => {
                let sql = "SELECT id FROM jobs WHERE status = 'queued' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED";
                let row = sea_orm::ConnectionTrait::query_one_raw(&txn, Statement::from_string(self.db_backend(), sql)).await?;
                row.map(|r| r.try_get::<i64>("", "id")).transpose()?
            }
            Backend::Sqlite => job::Entity::find()
                .filter(job::Column::Status.eq(JobStatus::Queued.as_str()))
                .order_by_asc(job::Column::Id)
                .one(&txn)
                .await?
                .map(|j| j.id),
        };
        let Some(id) = id else {
            txn.commit().await?;
            return Ok(None);
        };
        job::Entity::update_many()
            .col_expr(job::Column::Status, Expr::value(JobStatus::Running.as_str()))
            .col_expr(job::Column::Worker, Expr::value(worker))
            .col_expr(job::Column::StartedAt, Expr::value(at))
            .col_expr(job::Column::Attempts, Expr::col(job::Column::Attempts).add(1))
            .filter(job::Column::Id.eq(id))
            .exec(&txn)
            .await?;
        let job = job::Entity::find_by_id(id).one(&txn).await?;
        txn.commit().await?;
        job.map(Job::try_from).transpose()
    }

    /// Records a job's end: its result, or its error.
    pub async fn finish_job(&self, id: i64, outcome: Result<serde_json::Value, String>) -> Result<(), StoreError> {
        let (status, result, error) = match outcome {
            Ok(result) => (JobStatus::Done, Some(result.to_string()), None),
            Err(error) => (JobStatus::Failed, None, Some(error)),
        };
        job::Entity::update_many()
            .col_expr(job::Column::Status, Expr::value(status.as_str()))
            .col_expr(job::Column::Result, Expr::value(result))
            .col_expr(job::Column::Error, Expr::value(error))
            .col_expr(job::Column::FinishedAt, Expr::value(now()))
            .filter(job::Column::Id.eq(id))
            .exec(&self.write)
            .await?;
        Ok(())
    }

    pub async fn job(&self, id: i64) -> Result<Job, StoreError> {
        job::Entity::find_by_id(id).one(&self.read).await?.ok_or(StoreError::NotFound { what: "job", id })?.try_into()
    }
}
