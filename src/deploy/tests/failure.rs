//! Failed `aws` commands explained (deploy/failure.rs) through the recording fake; the retained
//! repository's wording.

use super::*;

fn failing(name: &str, needle: &str, stderr: &str) -> String {
    let d = out_dir(name, &[("net", repo("a"))], vec![]);
    let fake = Fake::new(&[(needle, 255, "", stderr)]);
    let e = deploy(&opts(d), &fake, &mut |_| {}).unwrap_err();
    assert!(matches!(e, DeployError::Aws(_)), "{e:?}");
    e.to_string()
}

#[test]
fn preflight_failures_say_what_happened_and_what_to_do() {
    let m = failing(
        "no-creds",
        "sts",
        "\nUnable to locate credentials. You can configure credentials by running \"aws configure\".\n",
    );
    assert!(
        m.starts_with("no AWS credentials found (`aws sts get-caller-identity --output json --region eu-west-1 --profile dev` failed):")
            && m.contains("`aws sso login --profile dev`"),
        "{m}"
    );
    let m = failing(
        "expired",
        "sts",
        "An error occurred (ExpiredToken) when calling the GetCallerIdentity operation: The security token included in the request is expired",
    );
    assert!(
        m.starts_with("the AWS credentials have expired") && m.contains("refresh them"),
        "{m}"
    );
    let m = failing(
        "unreachable",
        "sts",
        "\nCould not connect to the endpoint URL: \"https://sts.eu-west-1.amazonaws.com/\"\n",
    );
    assert!(
        m.starts_with("the AWS endpoint cannot be reached") && !m.contains("configure credentials"),
        "{m}"
    );
    let m = failing(
        "profile",
        "sts",
        "The config profile (dev) could not be found",
    );
    assert!(m.contains("aws configure list-profiles"), "{m}");
}

/// Credentials that expire mid-deploy (after the preflight) are explained the same way.
#[test]
fn a_later_command_failing_on_credentials_is_explained_too() {
    let m = failing(
        "later",
        "describe-stacks",
        "An error occurred (ExpiredToken) when calling the DescribeStacks operation: The security token included in the request is expired",
    );
    assert!(
        m.contains("`aws cloudformation describe-stacks --region eu-west-1 --profile dev --stack-name net --output json` failed"),
        "{m}"
    );
}

#[test]
fn the_missing_cli_says_how_to_install() {
    struct NoCli;
    impl Runner for NoCli {
        fn run(&self, _: &[String]) -> io::Result<CmdOutput> {
            Err(io::Error::new(
                io::ErrorKind::NotFound,
                "No such file or directory",
            ))
        }
        fn run_input(&self, a: &[String], _: &str) -> io::Result<CmdOutput> {
            self.run(a)
        }
        fn run_with_ticks(
            &self,
            a: &[String],
            _: Duration,
            _: &mut dyn FnMut(),
        ) -> io::Result<CmdOutput> {
            self.run(a)
        }
    }
    let d = out_dir("no-cli", &[("net", repo("a"))], vec![]);
    let e = deploy(&opts(d), &NoCli, &mut |_| {}).unwrap_err();
    assert!(matches!(e, DeployError::NoCli { .. }), "{e:?}");
    assert!(e.to_string().contains("getting-started-install"), "{e}");
}

/// A replaced repository under `UpdateReplacePolicy: Retain` is refused, and the refusal says
/// the old one is orphaned — never that it is deleted.
#[test]
fn a_retained_repository_is_orphaned_not_deleted() {
    let retained = |name: &str| {
        serde_json::json!({"Resources": {"Repo": {"Type": "AWS::ECR::Repository",
            "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain",
            "Properties": {"RepositoryName": name}}}})
    };
    let d = out_dir("retained", &[("net", retained("new-name"))], vec![]);
    let fake = Fake::new(&[
        (
            "describe-stacks",
            0,
            r#"{"Stacks":[{"StackStatus":"UPDATE_COMPLETE"}]}"#,
            "",
        ),
        (
            "get-template",
            0,
            &serde_json::json!({"TemplateBody": retained("old-name")}).to_string(),
            "",
        ),
    ]);
    let msg = deploy(&opts(d), &fake, &mut |_| {})
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("Repo (AWS::ECR::Repository): replaced (/Properties/RepositoryName changed); the old one is orphaned, not deleted (UpdateReplacePolicy: Retain), the new one starts empty"),
        "{msg}"
    );
    assert!(
        !msg.contains("deleted)") && !msg.contains(": deleted"),
        "{msg}"
    );
}
