"""Every sentence the stages write into the reports, in English and Japanese.

LANGUAGE was chosen when the project was generated (docs_language); change it here to
switch the reports. Log lines and metrics.json stay in English, so scripts can read them.
"""

from __future__ import annotations

from functools import cache
from typing import Literal

from matplotlib import font_manager

Language = Literal["en", "ja"]
LANGUAGE: Language = "{{ cookiecutter.docs_language }}"
# Fonts that draw Japanese; figure labels use Japanese only when one is installed.
JAPANESE_FONTS = ("Noto Sans CJK JP", "IPAexGothic", "IPAGothic", "Hiragino Sans", "Yu Gothic")

TEXTS: dict[str, dict[Language, str]] = {
    # Shared
    "figures": {"en": "Figures", "ja": "図"},
    "exercise": {"en": "Communication exercise", "ja": "コミュニケーション演習"},
    "exercise.intro": {
        "en": "Before acting on this report, ask these people these questions.",
        "ja": "このレポートをもとに進める前に、次の人に次のことを確認しましょう。",
    },
    "role": {"en": "who to ask", "ja": "誰に"},
    "question": {"en": "what to ask", "ja": "何を聞くか"},
    "numeric": {"en": "numeric", "ja": "数値"},
    "categorical": {"en": "categorical", "ja": "カテゴリ"},
    "feature": {"en": "feature", "ja": "特徴量"},
    "rows": {"en": "rows", "ja": "行数"},
    # Analysis report
    "analysis.title": {"en": "Analysis report", "ja": "データ分析レポート"},
    "analysis.intro": {
        "en": "Written by the `analyze` stage from `{source}` (training split, {rows} rows; "
        "data fingerprint `{fingerprint}`). Rerun the stage to refresh it; edits here are "
        "overwritten.",
        "ja": "`analyze` ステージが `{source}` の学習データ（{rows} 行、データフィンガー"
        "プリント `{fingerprint}`）から作成したレポートです。ステージを再実行すると更新され、"
        "ここに書き加えた内容は上書きされます。",
    },
    "analysis.findings": {"en": "Findings", "ja": "分析結果のまとめ"},
    "finding.shape": {
        "en": "The training split has {rows} rows and {columns} feature columns ({numeric} "
        "numeric, {categorical} categorical).",
        "ja": "学習データは {rows} 行、特徴量は {columns} 列（数値 {numeric} 列、カテゴリ "
        "{categorical} 列）です。",
    },
    "finding.dropped": {
        "en": "{count} rows had no target value and were left out before splitting.",
        "ja": "目的変数が欠損していた {count} 行は、分割の前に除外しました。",
    },
    "finding.missing": {
        "en": "{count} columns have missing values; the worst is `{worst}` ({rate:.0%}). The "
        "model imputes them and keeps an indicator.",
        "ja": "欠損値を含む列が {count} 列あり、最も多いのは `{worst}`（{rate:.0%}）です。"
        "モデルは欠損値を補完し、欠損していたことを示す列も加えて学習します。",
    },
    "finding.no_missing": {
        "en": "No column has missing values.",
        "ja": "欠損値を含む列はありません。",
    },
    "finding.high_missing": {
        "en": "More than half of the values are missing in {names}: ask the data engineer "
        "why, and consider dropping them.",
        "ja": "{names} は値の半分以上が欠損しています。データエンジニアに理由を確認し、"
        "特徴量から外すことも検討してください。",
    },
    "finding.top_correlation": {
        "en": "`{name}` is the numeric feature most correlated with the target (r = {value:.2f}).",
        "ja": "目的変数との相関が最も強い数値特徴量は `{name}` です（r = {value:.2f}）。",
    },
    "finding.weak": {
        "en": "{count} numeric features have |r| < 0.1 with the target: {names} (non-linear "
        "effects may remain).",
        "ja": "{count} 個の数値特徴量は目的変数との相関が |r| < 0.1 です: {names}"
        "（非線形な関係が隠れている可能性はあります）。",
    },
    "finding.pairs": {
        "en": "{count} feature pairs correlate above {threshold}, e.g. `{left}` and `{right}` "
        "(r = {value:.2f}); they carry overlapping information.",
        "ja": "相関が {threshold} を超える特徴量のペアが {count} 組あります（例: `{left}` と "
        "`{right}`、r = {value:.2f}）。同じ情報を重複して持っています。",
    },
    "finding.target_range": {
        "en": "The target ranges from {low:.4g} to {high:.4g} (median {median:.4g}) with "
        "{outliers} IQR outliers.",
        "ja": "目的変数は {low:.4g} から {high:.4g} の範囲（中央値 {median:.4g}）にあり、"
        "IQR で判定した外れ値は {outliers} 件です。",
    },
    "finding.rarest": {
        "en": "The rarest class is {label} at {share:.0%} of training rows.",
        "ja": "最も少ないクラスは {label} で、学習データの {share:.0%} です。",
    },
    "finding.cardinality": {
        "en": "High-cardinality categorical columns: {names}; rare values are grouped.",
        "ja": "値の種類が多いカテゴリ列: {names}。出現頻度の低い値はまとめて扱います。",
    },
    "analysis.columns": {"en": "Columns", "ja": "列の一覧"},
    "column": {"en": "column", "ja": "列"},
    "type": {"en": "type", "ja": "型"},
    "missing": {"en": "missing", "ja": "欠損率"},
    "unique": {"en": "unique values", "ja": "ユニーク数"},
    "analysis.target": {"en": "Target", "ja": "目的変数"},
    "stat.count": {"en": "count", "ja": "件数"},
    "stat.mean": {"en": "mean", "ja": "平均"},
    "stat.std": {"en": "std", "ja": "標準偏差"},
    "stat.min": {"en": "min", "ja": "最小"},
    "stat.median": {"en": "median", "ja": "中央値"},
    "stat.max": {"en": "max", "ja": "最大"},
    "stat.outliers": {"en": "IQR outliers", "ja": "IQR 外れ値"},
    "class": {"en": "class", "ja": "クラス"},
    "share": {"en": "share of rows", "ja": "行の割合"},
    "analysis.class_threshold": {
        "en": "Class 1 means {target} above {threshold:g} (the training split's threshold); "
        "class 0 means at or below it.",
        "ja": "クラス 1 は {target} が {threshold:g}（学習データから決めた閾値）を超えること、"
        "クラス 0 はそれ以下であることを表します。",
    },
    "analysis.target_correlation": {"en": "Correlation with the target", "ja": "目的変数との相関"},
    "pearson": {"en": "Pearson r", "ja": "ピアソンの r"},
    "analysis.pairs": {
        "en": "Feature pairs with |r| > {threshold}",
        "ja": "|r| > {threshold} の特徴量ペア",
    },
    "analysis.categorical": {"en": "Categorical columns", "ja": "カテゴリ列"},
    "distinct": {"en": "distinct values", "ja": "値の種類"},
    "figure.target_distribution": {"en": "Target distribution", "ja": "目的変数の分布"},
    "figure.correlation": {"en": "Correlation heatmap", "ja": "相関ヒートマップ"},
    "figure.top_features": {
        "en": "Top features against the target",
        "ja": "相関の強い特徴量と目的変数",
    },
    "ask.analysis.domain": {
        "en": "Do these ranges and missing rates match what you see in practice? Which "
        "values are impossible?",
        "ja": "値の範囲や欠損率は現場の感覚と合っていますか？ありえない値はどれですか？",
    },
    "ask.analysis.engineer": {
        "en": "Why are these columns missing values, and can it be fixed at the source?",
        "ja": "これらの列に欠損がある理由は何ですか？データの発生元で直せますか？",
    },
    "ask.analysis.scientist": {
        "en": "Of each highly correlated pair, which feature should stay? Could any "
        "feature leak the target?",
        "ja": "相関の強いペアはどちらを残すべきですか？目的変数を漏らしている（リークしている）"
        "特徴量はありませんか？",
    },
    "ask.analysis.product": {
        "en": "Is the data we have enough for the business goal, or do we request more?",
        "ja": "今あるデータでビジネスゴールを達成できそうですか？追加のデータを依頼すべきですか？",
    },
    # Test report
    "test.title": {"en": "Test report", "ja": "テストレポート"},
    "test.intro": {
        "en": "Written by the `evaluate` stage for model `{model}` (sha256 `{sha}`), trained "
        "{trained} on data `{fingerprint}`. Rerun the stage to refresh it. The model is tested "
        "on three levels: the model itself, the service around it, and the system it serves.",
        "ja": "`evaluate` ステージがモデル `{model}`（sha256 `{sha}`、{trained} に学習、データ "
        "`{fingerprint}`）について作成したレポートです。ステージを再実行すると更新されます。"
        "モデル、モデルを組み込んだサービス、サービスが支えるシステムの 3 つのレベルで"
        "テストします。",
    },
    "test.verdict": {"en": "Verdict", "ja": "判定"},
    "verdict.met": {
        "en": "The model meets the business goal: holdout {metric} {value:.4g} (goal: "
        "{comparison} {threshold:g}; dummy {baseline:.4g}).",
        "ja": "モデルはビジネスゴールを達成しています。ホールドアウトの {metric} は "
        "{value:.4g} です（目標: {threshold:g} {comparison}、ダミー {baseline:.4g}）。",
    },
    "verdict.missed": {
        "en": "The model does not meet the business goal: holdout {metric} {value:.4g} (goal: "
        "{comparison} {threshold:g}; dummy {baseline:.4g}).",
        "ja": "モデルはビジネスゴールを達成していません。ホールドアウトの {metric} は "
        "{value:.4g} です（目標: {threshold:g} {comparison}、ダミー {baseline:.4g}）。",
    },
    "at_most": {"en": "at most", "ja": "以下"},
    "at_least": {"en": "at least", "ja": "以上"},
    "decision.register": {"en": "Decision: **register**.", "ja": "決定: **登録する**。"},
    "decision.skip": {"en": "Decision: **do not register**.", "ja": "決定: **登録しない**。"},
    "decision.first": {
        "en": "There is no champion yet.",
        "ja": "まだチャンピオンモデルがありません。",
    },
    "decision.beats": {
        "en": "The challenger's {metric} {value:.4g} beats the champion's {incumbent:.4g} "
        "(version {version}) by more than {margin:g}.",
        "ja": "挑戦者の {metric} {value:.4g} は、チャンピオン（バージョン {version}）の "
        "{incumbent:.4g} から {margin:g} を超えて改善しています。",
    },
    "decision.does_not_beat": {
        "en": "The challenger's {metric} {value:.4g} does not beat the champion's "
        "{incumbent:.4g} (version {version}) by more than {margin:g}.",
        "ja": "挑戦者の {metric} {value:.4g} は、チャンピオン（バージョン {version}）の "
        "{incumbent:.4g} から {margin:g} を超えて改善していません。",
    },
    "test.gate": {
        "en": "Acceptance gate (from docs/01_business_understanding.md)",
        "ja": "合格基準（docs/01_business_understanding.md より）",
    },
    "metric": {"en": "metric", "ja": "指標"},
    "direction": {"en": "direction", "ja": "向き"},
    "threshold": {"en": "threshold", "ja": "閾値"},
    "must_beat": {"en": "must beat", "ja": "上回るべき基準"},
    "min_improvement": {"en": "min improvement", "ja": "最小改善幅"},
    "test.model_level": {"en": "1. Model", "ja": "1. モデル"},
    "test.data_checks": {"en": "Data checks", "ja": "データのチェック"},
    "check.rows": {
        "en": "Training rows: {train}; holdout rows: {holdout} (never used for training or "
        "cross-validation).",
        "ja": "学習データ {train} 行、ホールドアウト {holdout} 行（ホールドアウトは学習にも"
        "交差検証にも使っていません）。",
    },
    "check.features": {
        "en": "Features: {numeric} numeric, {categorical} categorical.",
        "ja": "特徴量: 数値 {numeric} 列、カテゴリ {categorical} 列。",
    },
    "check.dropped": {
        "en": "Rows dropped for a missing target: {count}.",
        "ja": "目的変数の欠損で除外した行: {count} 行。",
    },
    "test.metrics": {"en": "Metrics", "ja": "評価指標"},
    "cv_mean": {"en": "CV mean", "ja": "交差検証 平均"},
    "cv_std": {"en": "CV std", "ja": "交差検証 標準偏差"},
    "holdout": {"en": "holdout", "ja": "ホールドアウト"},
    "dummy": {"en": "dummy (holdout)", "ja": "ダミー（ホールドアウト）"},
    "champion_column": {
        "en": "champion v{version} (holdout)",
        "ja": "チャンピオン v{version}（ホールドアウト）",
    },
    "test.dummy_note": {
        "en": "The dummy ignores every feature (it predicts the training mean or class "
        "prior): a model that cannot beat it has learned nothing useful.",
        "ja": "ダミーは特徴量を一切使わず、学習データの平均（またはクラスの比率）を予測します。"
        "ダミーに勝てないモデルは、役に立つことを何も学習していません。",
    },
    "test.slices": {"en": "Metrics per slice", "ja": "スライスごとの評価指標"},
    "test.slices_intro": {
        "en": "The goal metric on groups of holdout rows: a model can pass on average and "
        "fail a group. Groups with fewer than {minimum} rows are left out.",
        "ja": "ホールドアウトを属性ごとのグループに分けた場合の目標指標です。平均では合格でも、"
        "特定のグループで性能が悪いことがあります。{minimum} 行未満のグループは省いています。",
    },
    "slice": {"en": "slice", "ja": "スライス"},
    "value": {"en": "value", "ja": "値"},
    "test.service_level": {"en": "2. Service", "ja": "2. サービス"},
    "test.service_intro": {
        "en": "The path a prediction takes in production, checked through the package's own "
        "loader: input processing, loading, prediction and output processing.",
        "ja": "本番で予測が通る経路を、パッケージ自身の読み込み処理で確認します: 入力の処理、"
        "モデルの読み込み、予測、出力の処理。",
    },
    "step": {"en": "step", "ja": "ステップ"},
    "result": {"en": "result", "ja": "結果"},
    "detail": {"en": "detail", "ja": "詳細"},
    "service.input": {"en": "input processing", "ja": "入力の処理"},
    "service.input_detail": {
        "en": "every holdout row has the {count} features of the schema",
        "ja": "ホールドアウトの全行がスキーマの {count} 個の特徴量を持つ",
    },
    "service.load": {"en": "load", "ja": "読み込み"},
    "service.load_detail": {
        "en": "the saved model file matches its SHA-256 and loads with trusted types only",
        "ja": "保存したモデルファイルが SHA-256 と一致し、信頼できる型だけで読み込める",
    },
    "service.predict": {"en": "predict", "ja": "予測"},
    "service.predict_detail": {
        "en": "the loaded model reproduces the {count} predictions recorded at training time",
        "ja": "読み込んだモデルが、学習時に記録した {count} 件の予測と同じ予測を返す",
    },
    "service.output": {"en": "output processing", "ja": "出力の処理"},
    "service.output_regression": {
        "en": "every prediction is a finite number",
        "ja": "すべての予測値が有限の数値である",
    },
    "service.output_classification": {
        "en": "every prediction is one of the classes {classes}",
        "ja": "すべての予測がクラス {classes} のいずれかである",
    },
    "pass": {"en": "pass", "ja": "合格"},
    "fail": {"en": "FAIL", "ja": "不合格"},
    "test.system_level": {"en": "3. System", "ja": "3. システム"},
    "test.system_intro": {
        "en": "The team fills this in: a model that passes the two levels above can still "
        "fail the people who use it.",
        "ja": "チームで記入します。上の 2 つのレベルに合格したモデルでも、使う人の役に立たない"
        "ことがあります。",
    },
    "system.caller": {
        "en": "How the caller uses the output (which screen or decision, what happens on "
        "an error):",
        "ja": "呼び出し側が出力をどう使うか（どの画面・判断で使い、エラー時にどうするか）:",
    },
    "system.rollout": {
        "en": "The A/B or shadow plan (who sees the model first, for how long, what decides):",
        "ja": "A/B テストまたはシャドー運用の計画（誰に先に見せるか、期間、何で判断するか）:",
    },
    "system.monitoring": {
        "en": "The monitoring threshold agreed (metric, value and who is alerted):",
        "ja": "合意したモニタリングの閾値（指標、値、誰に通知するか）:",
    },
    "test.conclusion": {"en": "Conclusion", "ja": "結論"},
    "conclusion.met": {
        "en": "The model meets the business goal ({metric} {value:.4g}, goal {comparison} "
        "{threshold:g}) and {decision}.",
        "ja": "モデルはビジネスゴールを達成しており（{metric} {value:.4g}、目標 {threshold:g} "
        "{comparison}）、{decision}。",
    },
    "conclusion.missed": {
        "en": "The model does not meet the business goal ({metric} {value:.4g}, goal "
        "{comparison} {threshold:g}) and is not registered.",
        "ja": "モデルはビジネスゴールを達成しておらず（{metric} {value:.4g}、目標 {threshold:g} "
        "{comparison}）、登録しません。",
    },
    "conclusion.registered": {"en": "is registered", "ja": "登録します"},
    "conclusion.kept": {
        "en": "the current champion stays in production",
        "ja": "本番では現在のチャンピオンを使い続けます",
    },
    "ask.test.domain": {
        "en": "Are the errors on the weakest slice acceptable for those patients?",
        "ja": "最も成績の悪いスライスの誤差は、その患者さんにとって許容できますか？",
    },
    "ask.test.product": {
        "en": "Does this verdict justify the release, and what is the rollout plan?",
        "ja": "この判定でリリースしてよいですか？どのように展開しますか？",
    },
    "ask.test.software": {
        "en": "Does the service-level check match how your code calls the model?",
        "ja": "サービスレベルの確認は、実際のコードからのモデルの呼び出し方と一致していますか？",
    },
    "ask.test.risk": {
        "en": "Which metric and threshold should alert us after release?",
        "ja": "リリース後、どの指標がどの値になったら通知すべきですか？",
    },
    # Roles, named as in the workshop
    "role.domain": {"en": "Domain expert", "ja": "業務有識者"},
    "role.engineer": {"en": "Data engineer", "ja": "データエンジニア"},
    "role.scientist": {"en": "Data scientist", "ja": "データサイエンティスト"},
    "role.product": {"en": "Product manager", "ja": "プロダクトマネージャー"},
    "role.ml": {"en": "ML engineer", "ja": "機械学習エンジニア"},
    "role.software": {"en": "Software engineer", "ja": "ソフトウェアエンジニア"},
    "role.risk": {"en": "Model risk manager", "ja": "機械学習モデルリスク管理者"},
    # Figures drawn by the stages
    "plot.distribution": {
        "en": "Distribution of {target} (training split)",
        "ja": "{target} の分布（学習データ）",
    },
    "plot.correlation": {"en": "Correlation between numeric features", "ja": "数値特徴量間の相関"},
    "plot.actual": {"en": "actual {target}", "ja": "実測値 {target}"},
    "plot.predicted": {"en": "predicted {target}", "ja": "予測値 {target}"},
    "plot.perfect": {"en": "perfect", "ja": "完全一致"},
    "plot.predicted_vs_actual": {
        "en": "Predicted vs actual (holdout)",
        "ja": "予測値と実測値（ホールドアウト）",
    },
    "plot.residual": {"en": "residual (actual - predicted)", "ja": "残差（実測値 - 予測値）"},
    "plot.residuals": {"en": "Residuals (holdout)", "ja": "残差（ホールドアウト）"},
    "plot.roc": {"en": "ROC curve (holdout)", "ja": "ROC 曲線（ホールドアウト）"},
    "plot.chance": {"en": "chance", "ja": "ランダム"},
    "plot.predicted_axis": {"en": "predicted", "ja": "予測値"},
}


def text(key: str, **values: object) -> str:
    """The sentence `key` in the project's language, with `values` filled in."""
    return TEXTS[key][LANGUAGE].format(**values)


@cache
def figure_language() -> Language:
    """Japanese figure labels need a Japanese font; without one, labels stay English
    rather than turning into boxes."""
    if LANGUAGE == "en":
        return "en"
    installed = {font.name for font in font_manager.fontManager.ttflist}
    return "ja" if installed.intersection(JAPANESE_FONTS) else "en"


def figure_text(key: str, **values: object) -> str:
    """A figure label or title: the project's language when a font can draw it."""
    return TEXTS[key][figure_language()].format(**values)
