"""``shifan serve``: the web workbench (申报评审工作台) for applicants, experts and provincial staff."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("serve")
@click.option(
    "--workspace",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("shifan-workspace"),
    show_default=True,
    help="工作目录：数据库（缺省 SQLite）、上传的文件和生成的名单都存放在这里。",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址（对外服务请放在 HTTPS 反向代理之后）。")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="监听端口。")
@click.option(
    "--database",
    default=None,
    help="数据库地址（SQLAlchemy URL），如 postgresql+psycopg://用户@主机/库；缺省为工作目录中的 SQLite。",
)
@click.option("--https", is_flag=True, help="经 HTTPS 反向代理访问：会话 Cookie 只经 HTTPS 发送，并发送 HSTS。")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="工作进程数；一般取 CPU 核数（登录限流记在数据库中，各进程共同计数）。",
)
@click.option(
    "--invite-staff",
    "invite_staff",
    metavar="用户名",
    default=None,
    help="为省级工作人员开通账号（已有则重新生成链接），打印一次性邀请链接后照常启动；新部署的第一个账号用它开通。",
)
@click.option(
    "--demo", is_flag=True, help="用内置示例填充工作目录：一个评审批次、示例申报和每种角色一个账号（打印一次性密码）。"
)
def serve(
    workspace: Path,
    host: str,
    port: int,
    database: str | None,
    https: bool,
    workers: int,
    invite_staff: str | None,
    demo: bool,
) -> None:
    """启动申报评审工作台（网页版）：申报单位填报、专家评审、省级工作人员生成拟推荐名单。"""
    try:
        import uvicorn

        from shifan.web import Settings, create_app, fill_demo, settings_to_environment
    except ImportError as error:
        raise click.ClickException(
            f"网页版所需的软件包未安装（{error.name}）：请运行 pip install 'shifan[web]'"
        ) from None

    settings = Settings(workspace=workspace, database=database, https=https)
    app = create_app(settings)
    if invite_staff is not None:
        from shifan.web.invitations import invite_staff as invite

        issued = invite(app.state.shifan.db, invite_staff, "省级工作人员")
        if issued is None:
            raise click.UsageError(f"用户名“{invite_staff}”已被申报单位或专家使用，请换一个")
        path, expires = issued
        base = f"https://{host}" if https else f"http://{host}:{port}"
        click.echo(
            f"省级工作人员 {invite_staff} 的一次性邀请链接（有效期至 {expires:%Y-%m-%d %H:%M} UTC，只能使用一次）："
        )
        click.echo(f"  {base}{path}")
        if https:
            click.echo("  （经反向代理访问时，请把前面的地址换成对外网址）")
    if demo:
        for role, username, password in fill_demo(app):
            click.echo(f"{role}：用户名 {username}  一次性密码 {password}")
    click.echo(f"申报评审工作台：http://{host}:{port}/  （工作目录 {workspace}）")
    target: object = app
    if workers > 1:
        # Each worker process builds its own app from the same settings (the database is migrated above).
        settings_to_environment(settings)
        target = "shifan.web:app_from_environment"
    uvicorn.run(
        target,  # type: ignore[arg-type]
        factory=workers > 1,
        workers=workers,
        host=host,
        port=port,
        proxy_headers=https,
        forwarded_allow_ips="127.0.0.1" if https else None,
        log_level="info",
        access_log=False,  # the reverse proxy logs requests; the audit log records every change
    )


COMMANDS = [serve]
