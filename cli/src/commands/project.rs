//! `labelbox project create | list | send-to-annotate | priority` (and `export`, in
//! `export.rs`).

use labelbox::{Client, Destination, SendToAnnotateParams};

use super::{listing, task, view};
use crate::args::{PriorityArgs, ProjectCommand, SendToAnnotateArgs};
use crate::exit::Exit;
use crate::output::Ui;

/// Runs one `project` command.
pub fn run(client: &Client, ui: Ui, command: ProjectCommand) -> anyhow::Result<Exit> {
    match command {
        ProjectCommand::Create { name, media_type } => {
            let project = client.create_project(&name, media_type)?;
            ui.note(format!("created project {}", project.id()));
            view::print_project(ui, &project)?;
            Ok(Exit::Success)
        }
        ProjectCommand::List => {
            let columns = listing::Columns {
                table: &view::PROJECT_COLUMNS,
                row: view::project_row,
                json: view::project_json,
                noun: "projects",
            };
            listing::print(ui, client.projects(), None, &columns)
        }
        ProjectCommand::Export(args) => super::export::export_project(client, ui, args),
        ProjectCommand::SendToAnnotate(args) => send_to_annotate(client, ui, args),
        ProjectCommand::Priority(args) => priority(client, ui, args),
    }
}

fn send_to_annotate(client: &Client, ui: Ui, args: SendToAnnotateArgs) -> anyhow::Result<Exit> {
    let destination = match args.queue {
        Some(queue) => Destination::TaskQueue(queue),
        None => Destination::Done,
    };
    let params = SendToAnnotateParams::from_project(&args.from_project)
        .batch_priority(args.priority)
        .exclude_data_rows_in_project(args.exclude_rows_in_project);
    let task = client.send_to_annotate_from_catalog(
        &args.project,
        destination,
        &args.batch_name,
        args.rows.identifiers(),
        params,
    )?;
    ui.note(format!("send-to-annotate task {} started", task.id()));
    task::print_or_wait(ui, task, &args.wait)
}

fn priority(client: &Client, ui: Ui, args: PriorityArgs) -> anyhow::Result<Exit> {
    let project = client.get_project(&args.project)?;
    let task = project.update_data_row_labeling_priority(args.rows.identifiers(), args.priority)?;
    ui.note(format!("priority task {} started", task.id()));
    task::print_or_wait(ui, task, &args.wait)
}
