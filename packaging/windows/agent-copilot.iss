; Inno Setup 6 script: the Windows installer for Agent Copilot.
;
; On Windows, from the repository root, after `python packaging\build.py` made dist\agent-copilot\:
;     iscc /DAppVersion=0.1.0 packaging\windows\agent-copilot.iss
; writes dist\agent-copilot-0.1.0-setup.exe. Not built or tested in this repository's CI (Linux):
; see packaging/README.md.
;
; Per-user install by default (no administrator needed, as on locked-down support desks); an
; administrator can choose "all users" in the first page. The agent's data
; (%LOCALAPPDATA%\agent-copilot) and settings are never removed by the uninstaller.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "Agent Copilot"
#define AppExe "agent-copilot.exe"
#define BundleDir "..\..\dist\agent-copilot"

[Setup]
; Never change AppId: upgrades and the uninstaller find earlier installs by it.
AppId={{C9BB62DD-0F20-4DE7-92D7-583497202DC5}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=Agent Copilot contributors
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir=..\..\dist
OutputBaseFilename=agent-copilot-{#AppVersion}-setup
SetupIconFile=agent-copilot.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; The app must not run while its files are replaced (Windows Restart Manager closes it).
CloseApplications=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
; The whole one-folder bundle: agent-copilot.exe (the window), agent-copilot-cli.exe (the same
; program with a console, for `selftest --json`, `--version` and the other commands), _internal\.
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[InstallDelete]
; Files of an older version that this one no longer ships must not be loaded by it.
Type: filesandordirs; Name: "{app}\_internal"

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"; Comment: "Issue diagnosis and draft replies for support chats"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
