/**
 * The local planning model's lines per language: a small hand-written table (en, vi, ru, ja, zh), as
 * honest as a twin can be without a language model. A real LLM writes in any language the brief
 * asks for; the twin writes in these five and in English for the rest, so tests can show the
 * language reaching the plan. The subject is the user's own words.
 */
export interface PlannerPhrases {
  opening(subject: string): string;
  moment(n: number, subject: string): string;
  adBeats: ReadonlyArray<(subject: string) => string>;
  closing(subject: string): string;
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

const PHRASES: Readonly<Record<string, PlannerPhrases>> = {
  en: {
    opening: (s) => `This is ${s}.`,
    moment: (n, s) => `Moment ${n}: ${s}, seen anew.`,
    adBeats: [
      (s) => `Say hello to ${s}.`,
      () => 'Designed for the way you live.',
      () => 'Tough enough for every adventure.',
      () => 'Light to carry, easy to love.',
      () => 'Better for you, better for the planet.',
    ],
    closing: (s) => `${capitalize(s)}. Yours today.`,
  },
  vi: {
    opening: (s) => `Đây là ${s}.`,
    moment: (n, s) => `Khoảnh khắc ${n}: ${s}, nhìn theo cách mới.`,
    adBeats: [
      (s) => `Xin chào ${s}.`,
      () => 'Được thiết kế cho cách bạn sống.',
      () => 'Đủ bền cho mọi chuyến phiêu lưu.',
      () => 'Nhẹ nhàng mang theo, dễ dàng yêu thích.',
      () => 'Tốt cho bạn, tốt cho hành tinh.',
    ],
    closing: (s) => `${capitalize(s)}. Của bạn ngay hôm nay.`,
  },
  ru: {
    opening: (s) => `Это ${s}.`,
    moment: (n, s) => `Момент ${n}: ${s}, по-новому.`,
    adBeats: [
      (s) => `Встречайте: ${s}.`,
      () => 'Создано для вашей жизни.',
      () => 'Готово к любым приключениям.',
      () => 'Легко носить, легко полюбить.',
      () => 'Лучше для вас и для планеты.',
    ],
    closing: (s) => `${capitalize(s)}. Уже сегодня.`,
  },
  ja: {
    opening: (s) => `これは${s}です。`,
    moment: (n, s) => `場面${n}：新しい目で見る${s}。`,
    adBeats: [
      (s) => `${s}、はじめまして。`,
      () => 'あなたの暮らしのためにデザインされました。',
      () => 'どんな冒険にも負けない強さ。',
      () => '軽くて、持ち歩きやすい。',
      () => 'あなたにも、地球にもやさしい。',
    ],
    closing: (s) => `${s}。今日から、あなたのものに。`,
  },
  zh: {
    opening: (s) => `这是${s}。`,
    moment: (n, s) => `第${n}个瞬间：重新看见${s}。`,
    adBeats: [
      (s) => `你好，${s}。`,
      () => '为你的生活方式而设计。',
      () => '坚固耐用，适合每一次冒险。',
      () => '轻巧便携，一见倾心。',
      () => '对你更好，对地球更好。',
    ],
    closing: (s) => `${s}。今天就属于你。`,
  },
};

export function plannerPhrasesFor(language: string): PlannerPhrases {
  const primary = (language.split('-')[0] ?? language).toLowerCase();
  return PHRASES[primary] ?? (PHRASES.en as PlannerPhrases);
}
